// The recipients a namespace publishes (ConfigMap agesecret-recipients), checked and read: pure, no cluster access.
import type { KubeObject } from 'capstan';
import type { Document } from 'yaml';
import { parseRecipients } from '../crypto/identities.js';
import { AgeSecretError } from '../errors.js';
import { InputError } from '../manifest/input-error.js';
import { MANAGED_BY, MANAGED_KEYS_LABEL, RECIPIENTS_CONFIGMAP, RECIPIENTS_KEY } from '../keys/namespace-keys.js';
import { ClusterAccessError } from './cluster-errors.js';
import { EXIT_NOT_PUBLISHED } from './usage.js';

/**
 * The ConfigMap key listing recipients that still decrypt but are being retired (renewal, issue 19). Operators
 * without renewal do not write it; then which keys are retiring is not known, and `status` says "unknown".
 */
export const RETIRING_KEY = 'retiring';

export type ConfigMapObject = KubeObject & { data?: Record<string, string> };

/** What a namespace publishes: the recipients to encrypt for and, when the operator says, the retiring ones. */
export interface PublishedRecipients {
  namespace: string;
  /** Encrypt for these (never empty). */
  current: string[];
  /** Kept for decryption only until no AgeSecret needs them; undefined when the ConfigMap does not say. */
  retiring?: string[];
}

const notPublished = (message: string, reason: string, cause?: unknown) =>
  new ClusterAccessError(message, { reason, exitCode: EXIT_NOT_PUBLISHED, ...(cause === undefined ? {} : { cause }) });

/** How a namespace opts in, for the message when it has not. */
export function optInHint(namespace: string): string {
  return (
    `To opt in, an administrator labels the namespace (kubectl label namespace ${namespace} ${MANAGED_KEYS_LABEL}=true) ` +
    `where the operator runs with --managed-keys-label, or starts the operator with --managed-keys-namespace ${namespace}`
  );
}

/**
 * The published recipients of `namespace` from its ConfigMap (undefined: there is none). Refuses, with exit code
 * EXIT_NOT_PUBLISHED, anything that would make a developer encrypt for fewer or other recipients than the
 * operator published: no ConfigMap, one the operator did not make (it refuses to publish over such a one, so its
 * list may be anyone's), an empty or invalid list.
 */
export function publishedRecipients(configMap: ConfigMapObject | undefined, namespace: string): PublishedRecipients {
  const where = `ConfigMap ${RECIPIENTS_CONFIGMAP} in namespace ${namespace}`;
  if (!configMap) {
    throw notPublished(
      `namespace ${namespace} publishes no recipients (no ConfigMap ${RECIPIENTS_CONFIGMAP}): it does not use cluster-held keys, or does not exist. ${optInHint(namespace)}`,
      'NotPublished',
    );
  }
  const [label, value] = Object.entries(MANAGED_BY)[0]!;
  if (configMap.metadata.labels?.[label] !== value) {
    throw notPublished(
      `${where} was not made by the AgeSecret operator (no label ${label}=${value}); its recipients are not trusted. Ask an administrator to delete it so the operator publishes its own`,
      'RecipientsNotOwned',
    );
  }
  const current = parseList(configMap.data?.[RECIPIENTS_KEY], `${where}, key ${RECIPIENTS_KEY}`);
  if (current.length === 0) {
    throw notPublished(
      `${where} lists no recipients (key ${RECIPIENTS_KEY}); the operator has not published them yet: see the Events of namespace ${namespace}`,
      'NoRecipients',
    );
  }
  const retiringText = configMap.data?.[RETIRING_KEY];
  const retiring = retiringText === undefined ? undefined : parseList(retiringText, `${where}, key ${RETIRING_KEY}`);
  return { namespace, current, ...(retiring ? { retiring: retiring.filter((r) => !current.includes(r)) } : {}) };
}

function parseList(text: string | undefined, source: string): string[] {
  try {
    return [...new Set(parseRecipients(text ?? '', source))];
  } catch (error) {
    if (error instanceof AgeSecretError) throw notPublished(`${error.message}; the published list is damaged`, 'InvalidRecipients', error);
    throw error;
  }
}

/** The published recipients first, then those given with -r/-R, each once. */
export function mergeRecipients(published: readonly string[], given: readonly string[]): string[] {
  return [...new Set([...published, ...given])];
}

/**
 * Refuses documents (AgeSecrets, Secrets) whose metadata.namespace is not the one whose recipients were fetched:
 * their values would be encrypted for another namespace's key and never decrypt where they are applied.
 */
export function checkSameNamespace(docs: readonly Document[], namespace: string, file: string): void {
  docs.forEach((doc, index) => {
    const own = doc.getIn(['metadata', 'namespace']);
    if (typeof own !== 'string' || own === '' || own === namespace) return;
    if (!['AgeSecret', 'Secret'].includes(String(doc.get('kind')))) return;
    throw new InputError(
      `${file}: document ${index + 1} (${String(doc.get('kind'))} ${String(doc.getIn(['metadata', 'name']))}) is for namespace ${own}, but --namespace is ${namespace}: it would be encrypted for another namespace's key`,
    );
  });
}
