// Cluster-held namespace keys, the pure part: which namespaces opted in, the key Secret to create, the recipients ConfigMap.
import type { KubeObject } from 'capstan';
import { IDENTITY_KEY } from '../reconcile/key-source.js';

/** The namespace label by which a namespace's administrators opt in to a key held by the operator. */
export const MANAGED_KEYS_LABEL = 'age-secret.pyvo.io/managed-keys';
/** The ConfigMap where a managed namespace's recipients (public keys only) are published, readable without Secrets. */
export const RECIPIENTS_CONFIGMAP = 'agesecret-recipients';
/** The ConfigMap key holding the recipients new encryptions use (current keys, newest first), one `age1...` per line. */
export const RECIPIENTS_KEY = 'recipients';
/**
 * The ConfigMap key listing retiring recipients (renewed, kept for decryption until no AgeSecret needs them), present
 * only while there are some: never to encrypt for, only for `age-secret status` and people to see what still waits.
 */
export const RETIRING_KEY = 'retiring';
/** The default name of the key Secret the operator creates in a managed namespace (AgeSecrets name it in ageSecretRef). */
export const DEFAULT_MANAGED_KEY_SECRET = 'agesecret-namespace-key';
/** Marks what the operator generated (the key Secret, the ConfigMap), so that nothing else is ever rewritten. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'agesecret-operator' } as const;

/** Which namespaces get a cluster-held key: listed by the operator's flag, or labelled by their administrators. */
export interface ManagedKeysSettings {
  /** Namespaces listed by the operator (`--managed-keys-namespace`). */
  namespaces: string[];
  /** Whether the namespace label `age-secret.pyvo.io/managed-keys=true` opts a namespace in (`--managed-keys-label`). */
  label: boolean;
  /** The key Secret's name in each managed namespace. */
  secretName: string;
  /** How often an operator-made key is renewed (`--managed-key-renewal`); 0: never; default 30 days. */
  renewalMs?: number;
  /**
   * How long a retiring identity stays although no AgeSecret in the cluster needs it (`--managed-key-retire-grace`):
   * values encrypted for the recipient published before a renewal may be applied days later. 0: as soon as
   * nothing needs it; default 7 days.
   */
  retireGraceMs?: number;
}

/** Whether the operator holds this namespace's key. */
export function managesKeys(namespace: KubeObject, settings: ManagedKeysSettings): boolean {
  if (namespace.metadata.deletionTimestamp) return false;
  if (settings.namespaces.includes(namespace.metadata.name ?? '')) return true;
  return settings.label && namespace.metadata.labels?.[MANAGED_KEYS_LABEL] === 'true';
}

/** The key Secret to create when absent: one fresh identity in the key-file format of ageSecretRef Secrets. */
export function keySecretBody(namespace: string, name: string, identity: string, recipient: string, now: Date): KubeObject {
  const file = `# created by agesecret-operator ${now.toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { ...MANAGED_BY } },
    type: 'Opaque',
    data: { [IDENTITY_KEY]: Buffer.from(file).toString('base64') },
  } as KubeObject;
}

const lines = (recipients: readonly string[]) => [...new Set(recipients)].map((r) => `${r}\n`).join('');

/** The ConfigMap's data for these recipients (public keys), stable for equal input; `retiring` only when some are. */
export function recipientsData(recipients: readonly string[], retiring: readonly string[] = []): Record<string, string> {
  return { [RECIPIENTS_KEY]: lines(recipients), ...(retiring.length ? { [RETIRING_KEY]: lines(retiring) } : {}) };
}

/** What to do with the recipients ConfigMap: create it, update ours, leave it, or refuse one made by someone else. */
export function configMapAction(
  existing: (KubeObject & { data?: Record<string, string> }) | undefined,
  data: Record<string, string>,
): 'create' | 'update' | 'unchanged' | 'foreign' {
  if (!existing) return 'create';
  if (existing.metadata.labels?.['app.kubernetes.io/managed-by'] !== MANAGED_BY['app.kubernetes.io/managed-by']) return 'foreign';
  const same =
    Object.keys(data).length === Object.keys(existing.data ?? {}).length &&
    Object.entries(data).every(([k, v]) => existing.data?.[k] === v);
  return same ? 'unchanged' : 'update';
}
