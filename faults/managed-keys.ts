// Cluster-held namespace keys as the fault tests see them: a namespace opted in by label, the recipients it publishes,
// the identities its key Secret holds, and a renewal made due by backdating the key's records.
import { loadIdentities } from '@capstan/agesecret';
import type { ApiClient, KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import { NAMESPACES, retrying, SECRETS, uniqueName } from './workload.js';

export const CONFIGMAPS = { version: 'v1', plural: 'configmaps' } as const;
export const MANAGED_KEYS_LABEL = 'age-secret.pyvo.io/managed-keys';
export const MANAGED_KEY_SECRET = 'agesecret-namespace-key';
export const RECIPIENTS_CONFIGMAP = 'agesecret-recipients';
export const KEY_RECORDS = 'age-secret.pyvo.io/key-records';
const DAY = 86_400_000;

type ConfigMap = KubeObject & { data?: Record<string, string> };
type SecretObj = KubeObject & { data?: Record<string, string> };

/** A namespace labelled for a cluster-held key; returns it once the operator published its recipients. */
export async function createManagedNamespace(
  client: ApiClient,
  prefix: string,
  failFast?: () => boolean,
): Promise<{ namespace: string; recipients: string[] }> {
  const namespace = uniqueName(prefix);
  await retrying(() =>
    client.create(NAMESPACES, { metadata: { name: namespace, labels: { 'capstan.dev/test': 'faults', [MANAGED_KEYS_LABEL]: 'true' } } }),
  );
  const data = await waitPublished(client, namespace, (d) => !!d['recipients'], failFast);
  return { namespace, recipients: lines(data['recipients']) };
}

export const lines = (text: string | undefined): string[] =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The recipients ConfigMap's data once `holds` is true of it. */
export async function waitPublished(
  client: ApiClient,
  namespace: string,
  holds: (data: Record<string, string>) => boolean,
  failFast?: () => boolean,
): Promise<Record<string, string>> {
  return waitUntil(
    async () => {
      const cm = await client.tryGet<ConfigMap>(CONFIGMAPS, { namespace, name: RECIPIENTS_CONFIGMAP });
      return cm?.data && holds(cm.data) ? cm.data : undefined;
    },
    { timeoutMs: 180_000, message: `the recipients published in ${namespace}`, ...(failFast ? { failFast } : {}) },
  );
}

/** The key Secret as it is (admin read), its identities and their recipients. */
export async function keySecret(
  client: ApiClient,
  namespace: string,
): Promise<{ secret: SecretObj; identities: string[]; recipients: string[] }> {
  const secret = await client.get<SecretObj>(SECRETS, { namespace, name: MANAGED_KEY_SECRET });
  return { secret, identities: identityLines(secret), recipients: await recipientsOf(secret) };
}

/** The identity lines of a key Secret's key file. */
export function identityLines(secret: SecretObj): string[] {
  return lines(Buffer.from(secret.data?.['secretKey'] ?? '', 'base64').toString()).filter((l) => l.startsWith('AGE-SECRET-KEY-1'));
}

/** The recipients of the identities a key Secret really holds (derived from the identities, not from comments). */
export async function recipientsOf(secret: SecretObj): Promise<string[]> {
  return (await loadIdentities(Buffer.from(secret.data?.['secretKey'] ?? '', 'base64').toString())).recipients;
}

/** Makes the default 30-day renewal due now: the key's records say it was made 31 days ago (as the cluster test does). */
export async function backdateKey(client: ApiClient, namespace: string): Promise<void> {
  const { recipients } = await keySecret(client, namespace);
  const created = new Date(Date.now() - 31 * DAY).toISOString();
  await client.patch(
    SECRETS,
    { namespace, name: MANAGED_KEY_SECRET },
    { metadata: { annotations: { [KEY_RECORDS]: JSON.stringify(recipients.map((recipient) => ({ recipient, created }))) } } },
    { type: 'merge' },
  );
}

/** What is wrong with a key-records annotation: anything but public keys and times. */
export function keyRecordProblems(raw: string | undefined): string[] {
  let records: unknown;
  try {
    records = JSON.parse(raw ?? '');
  } catch {
    return [`not JSON: ${String(raw).slice(0, 40)}`];
  }
  if (!Array.isArray(records)) return ['not a list'];
  return records.flatMap((r: Record<string, unknown>) => {
    const problems: string[] = [];
    for (const [k, v] of Object.entries(r ?? {})) {
      if (k === 'recipient' && typeof v === 'string' && /^age1[02-9ac-hj-np-z]+$/.test(v)) continue;
      if ((k === 'created' || k === 'retiring') && typeof v === 'string' && !Number.isNaN(Date.parse(v))) continue;
      problems.push(`field ${k}=${String(v).slice(0, 30)}`);
    }
    return problems;
  });
}
