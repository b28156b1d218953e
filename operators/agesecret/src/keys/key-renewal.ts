// Renewal and retirement of an operator-made key Secret, the effects: one guarded write carries the key file and its records.
import { ConflictError, TemporaryError, type HandlerContext, type KubeObject } from 'capstan';
import { generateKeyPair, parseIdentityFile, type IdentitySet } from '../crypto/identities.js';
import type { AgeSecret } from '../resource.js';
import { IDENTITY_KEY, SECRETS } from '../reconcile/key-source.js';
import { ciphertextsOf, keyViewOf, type KeyDependence } from './key-dependence.js';
import {
  currentKeyCreated,
  currentRecipients,
  formatRecords,
  KEY_RECORDS_ANNOTATION,
  keyFile,
  planKeys,
  recordsAfter,
  retiringRecipients,
} from './key-records.js';

type DataObject = KubeObject & { data?: Record<string, string> };

/** The key state after maintenance: what to publish, what to report, when to look again. */
export interface KeyState {
  current: string[];
  retiring: string[];
  /** Creation time (ms) of the newest current identity. */
  created: number | undefined;
  recheckMs?: number;
}

export interface MaintainOptions {
  secret: DataObject;
  identities: IdentitySet;
  /** The AgeSecrets of the namespace that name this key Secret, from the watch cache. */
  users: readonly AgeSecret[];
  dependence: KeyDependence;
  renewalMs: number;
  /** How long a retiring identity nothing needs is kept (`--managed-key-retire-grace`). */
  retireGraceMs: number;
  now: Date;
}

/**
 * Renews the key when due and removes retiring identities no AgeSecret needs. The AgeSecrets come from the watch
 * cache, which covers the key Secret's namespace whenever the key Secret itself is cached (both are watched in the
 * operator's namespaces), and is complete before any reconcile runs, also after a restart. The write carries the
 * judged resourceVersion, so a key Secret changed meanwhile is judged again, never overwritten.
 */
export async function maintainKeys(ctx: HandlerContext<KubeObject>, options: MaintainOptions): Promise<KeyState> {
  const { secret, identities, now } = options;
  const key = keyViewOf(secret, identities, now.toISOString());
  const records = key.records;
  const stillNeeded = new Set<string>();
  for (const obj of options.users) for (const r of await options.dependence.stillNeeded(key, ciphertextsOf(obj))) stillNeeded.add(r);
  const plan = planKeys({ records, stillNeeded, now: now.getTime(), renewalMs: options.renewalMs, retireGraceMs: options.retireGraceMs });
  const added = plan.renew ? await generateKeyPair() : undefined;
  const next = recordsAfter(records, plan, added?.recipient, now);
  const state: KeyState = {
    current: currentRecipients(next),
    retiring: retiringRecipients(next),
    created: currentKeyCreated(next),
    ...(plan.recheckMs !== undefined ? { recheckMs: plan.recheckMs } : {}),
  };
  const annotation = formatRecords(next);
  const rewriteFile = Boolean(added) || plan.retire.length > 0;
  if (!rewriteFile && secret.metadata.annotations?.[KEY_RECORDS_ANNOTATION] === annotation) return state;

  const data = { ...secret.data };
  if (rewriteFile) {
    // Identity lines and the loaded recipients are in the same (file) order; the lines stay in this function.
    const lines = parseIdentityFile(Buffer.from(secret.data?.[IDENTITY_KEY] ?? '', 'base64').toString('utf8'));
    const entries = lines
      .map((identity, i) => ({ identity, recipient: identities.recipients[i]! }))
      .filter((e, i, all) => !plan.retire.includes(e.recipient) && all.findIndex((o) => o.recipient === e.recipient) === i);
    if (added) entries.push(added);
    data[IDENTITY_KEY] = Buffer.from(keyFile(entries)).toString('base64');
  }
  const body = {
    ...secret,
    metadata: { ...secret.metadata, annotations: { ...secret.metadata.annotations, [KEY_RECORDS_ANNOTATION]: annotation } },
    data,
  };
  try {
    await ctx.client.replace(SECRETS, body, { signal: ctx.signal });
  } catch (error) {
    if (error instanceof ConflictError)
      throw new TemporaryError('the key Secret changed meanwhile; judged again', { delayMs: 200, cause: error });
    throw error;
  }
  const name = secret.metadata.name;
  if (added) {
    const retiring = records.filter((r) => !r.retiring).map((r) => r.recipient);
    await ctx.events.info(
      'KeyRenewed',
      `new identity added to Secret ${name}; recipient ${added.recipient} published${retiring.length ? `; ${retiring.join(', ')} retiring (kept for decryption until no AgeSecret needs it)` : ''}`,
    );
  }
  for (const recipient of plan.retire)
    await ctx.events.info('KeyRetired', `identity of recipient ${recipient} removed from Secret ${name}: no AgeSecret needs it any more`);
  return state;
}
