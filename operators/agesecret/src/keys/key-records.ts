// Renewal and retirement of cluster-held keys, the pure part: key records on the key Secret and what is due when.
import type { KubeObject } from 'capstan';

/**
 * Annotation on an operator-made key Secret: one record per identity (recipient, creation time, since when it is
 * retiring). Recipients are public; keeping the times on the Secret makes key age and due renewals survive restarts.
 */
export const KEY_RECORDS_ANNOTATION = 'age-secret.pyvo.io/key-records';
/** The default renewal period of cluster-held keys: 30 days, as sealed-secrets renews its key. */
export const DEFAULT_RENEWAL_MS = 30 * 24 * 3600 * 1000;
/**
 * How long a retiring identity stays at least (`--managed-key-retire-grace`): values encrypted for the recipient
 * published before a renewal may reach the cluster days later (a pull request merged after it).
 */
export const DEFAULT_RETIRE_GRACE_MS = 7 * 24 * 3600 * 1000;
/** The longest requeue asked of the engine (timers beyond ~24.8 days overflow; a daily look is cheap). */
const MAX_RECHECK_MS = 24 * 3600 * 1000;

/** One identity of a key Secret: its public recipient, when it was made and, once renewed, since when it retires. */
export interface KeyRecord {
  recipient: string;
  /** ISO time the identity was created (or first seen, for identities made before records existed). */
  created: string;
  /** ISO time a newer identity replaced it for encryption; absent: current. */
  retiring?: string;
}

/** The records of a key Secret's annotation; malformed entries are dropped (normaliseRecords then re-creates them). */
export function parseRecords(secret: KubeObject): KeyRecord[] {
  const raw = secret.metadata.annotations?.[KEY_RECORDS_ANNOTATION];
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((r: Record<string, unknown>): KeyRecord[] => {
    if (typeof r?.['recipient'] !== 'string' || typeof r['created'] !== 'string' || Number.isNaN(Date.parse(r['created']))) return [];
    const retiring = typeof r['retiring'] === 'string' && !Number.isNaN(Date.parse(r['retiring'])) ? r['retiring'] : undefined;
    return [{ recipient: r['recipient'], created: r['created'], ...(retiring ? { retiring } : {}) }];
  });
}

/** The annotation's value for these records (stable for equal input). */
export function formatRecords(records: readonly KeyRecord[]): string {
  return JSON.stringify(
    records.map((r) => ({ recipient: r.recipient, created: r.created, ...(r.retiring ? { retiring: r.retiring } : {}) })),
  );
}

/**
 * One record per identity of the Secret, in the Secret's order: records of identities no longer there are dropped,
 * identities without a record (made by hand, or before records existed) count as current since `firstSeen`.
 */
export function normaliseRecords(recorded: readonly KeyRecord[], recipients: readonly string[], firstSeen: string): KeyRecord[] {
  const byRecipient = new Map(recorded.map((r) => [r.recipient, r]));
  return [...new Set(recipients)].map((recipient) => byRecipient.get(recipient) ?? { recipient, created: firstSeen });
}

/** The recipients new encryptions use: current identities, newest first (what the ConfigMap publishes). */
export function currentRecipients(records: readonly KeyRecord[]): string[] {
  return records
    .filter((r) => !r.retiring)
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created))
    .map((r) => r.recipient);
}

/** The recipients kept only for decryption until nothing needs them. */
export function retiringRecipients(records: readonly KeyRecord[]): string[] {
  return records.filter((r) => r.retiring).map((r) => r.recipient);
}

/** The creation time (ms) of the newest current identity; undefined when there is none. */
export function currentKeyCreated(records: readonly KeyRecord[]): number | undefined {
  const times = records.filter((r) => !r.retiring).map((r) => Date.parse(r.created));
  return times.length ? Math.max(...times) : undefined;
}

/** What a key Secret needs now: a new identity, identities to remove, and when to look again. */
export interface KeyPlan {
  /** Add a new identity; every current one starts retiring. */
  renew: boolean;
  /** Retiring recipients that no AgeSecret needs any more: removed from the Secret. */
  retire: string[];
  /** When the next renewal or retirement falls due (ms from now), for the engine's requeue; undefined: never. */
  recheckMs?: number;
}

/**
 * Decides renewal and retirement. `stillNeeded`: the retiring recipients some AgeSecret still decrypts only with
 * (never retired). A retiring identity nothing needs goes once it has been retiring for `retireGraceMs` (default
 * 0 here: the operator passes its setting); values encrypted before the renewal may still be on their way.
 * `renewalMs` 0 disables renewal. A key Secret with no current identity is renewed at once.
 */
export function planKeys(input: {
  records: readonly KeyRecord[];
  stillNeeded: ReadonlySet<string>;
  now: number;
  renewalMs: number;
  retireGraceMs?: number;
}): KeyPlan {
  const { records, stillNeeded, now, renewalMs } = input;
  const grace = input.retireGraceMs ?? 0;
  const retire: string[] = [];
  let graceEnds: number | undefined;
  for (const r of records) {
    if (!r.retiring || stillNeeded.has(r.recipient)) continue;
    const ends = Date.parse(r.retiring) + grace;
    if (ends <= now) retire.push(r.recipient);
    else graceEnds = Math.min(graceEnds ?? ends, ends);
  }
  const recheck = (ms: number | undefined) => {
    const soonest = graceEnds === undefined ? ms : Math.min(ms ?? Infinity, graceEnds - now);
    return soonest === undefined ? {} : { recheckMs: Math.min(Math.max(soonest, 1000), MAX_RECHECK_MS) };
  };
  if (renewalMs <= 0) return { renew: false, retire, ...recheck(undefined) };
  const created = currentKeyCreated(records);
  const due = created === undefined ? now : created + renewalMs;
  if (due <= now) return { renew: true, retire, ...recheck(renewalMs) };
  return { renew: false, retire, ...recheck(due - now) };
}

/** The records after applying a plan: a renewal marks current ones retiring and adds `added`; retired ones go. */
export function recordsAfter(records: readonly KeyRecord[], plan: KeyPlan, added: string | undefined, now: Date): KeyRecord[] {
  const at = now.toISOString();
  const kept = records
    .filter((r) => !plan.retire.includes(r.recipient))
    .map((r) => (plan.renew && !r.retiring ? { ...r, retiring: at } : r));
  return added ? [...kept, { recipient: added, created: at }] : kept;
}

/** The key file of the Secret: one identity per line, each under a comment naming its (public) recipient. */
export function keyFile(entries: readonly { identity: string; recipient: string }[]): string {
  return entries.map((e) => `# public key: ${e.recipient}\n${e.identity}\n`).join('');
}
