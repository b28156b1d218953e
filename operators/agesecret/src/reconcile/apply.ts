// The level-triggered core: make the Secret match the AgeSecret, or say precisely why not (no plaintext out).
import { ConflictError, InvalidError, NotFoundError, TemporaryError, type KubeClient } from 'capstan';
import { decryptValue } from '../crypto/age.js';
import { AgeSecretError } from '../errors.js';
import { AGESECRETS, type AgeSecret } from '../resource.js';
import {
  dataSize,
  desiredSecret,
  inputHash,
  isOwnedBy,
  MAX_SECRET_BYTES,
  needsReplacement,
  secretMatches,
  upToDate,
  type SecretObject,
} from './desired-secret.js';
import { IdentityCache, keySecretOf, SECRETS, type DefaultIdentity, type LoadOptions } from './key-source.js';
import { ADOPT_ANNOTATION, ownershipOf } from './ownership.js';
import { planSecret, type SecretPlan } from './spec-check.js';

export interface ApplySettings {
  /** Operator-wide identities for AgeSecrets without ageSecretRef; undefined disables them. */
  defaultIdentity?: DefaultIdentity;
  /** Refuse ciphertexts without a binding (adr/0010). */
  requireBinding?: boolean;
  fieldManager: string;
}

export interface ApplyDeps {
  client: KubeClient;
  identities: IdentityCache;
  settings: ApplySettings;
  signal?: AbortSignal;
  /** The watch cache's Secrets: up-to-date targets are recognised without an API call. */
  cachedSecret?: LoadOptions['cached'];
  /** Whether the cache has finished its initial list, so that a miss means "absent" (else a GET decides). */
  cacheComplete?: () => boolean;
}

export type ApplyOutcome =
  | {
      ok: true;
      secretName: string;
      action: WriteAction;
      values: number;
      /** Whether the values were decrypted (false: the Secret was recognised as up to date from its hashes). */
      decrypted?: boolean;
    }
  | { ok: false; reason: string; message: string; secretName?: string }
  /** The AgeSecret is gone (a cache that lags its deletion): nothing was written, nothing is to be reported. */
  | { ok: false; gone: true; reason: 'AgeSecretGone'; message: string };

/**
 * Whether a missing Secret must be checked against the live AgeSecret before it is written again: the status says
 * this AgeSecret wrote it, so either someone deleted it (restore it) or the garbage collector did because the
 * AgeSecret is gone and the cache has not heard yet (a slow or broken watch stream). Re-creating it then fights
 * the collector, once per round, until the cache catches up. A first write (no status yet) needs no check: at
 * worst one Secret the collector removes.
 */
export function mustCheckOwner(obj: Pick<AgeSecret, 'status'>, plan: { secretName: string }, existing: unknown): boolean {
  return existing === undefined && obj.status?.secretName === plan.secretName;
}

const fail = (reason: string, message: string, secretName?: string): ApplyOutcome =>
  secretName ? { ok: false, reason, message, secretName } : { ok: false, reason, message };

const notOwned = (secretName: string, name: string) =>
  fail(
    'SecretNotOwned',
    `Secret ${secretName} already exists and is not owned by this AgeSecret; refusing to overwrite or adopt it (delete it, choose another spec.secretName, or annotate the Secret ${ADOPT_ANNOTATION}=${name} to hand it over)`,
    secretName,
  ) as { ok: false; reason: string; message: string };

/** Decrypts every value; AgeSecretErrors name the field, never the value. */
async function decryptAll(obj: AgeSecret, plan: SecretPlan, deps: ApplyDeps): Promise<Map<string, Uint8Array> | ApplyOutcome> {
  const keySecret = keySecretOf(plan.keySource, plan.namespace, deps.settings.defaultIdentity);
  if (!keySecret) return fail('NoKeySource', 'spec.ageSecretRef is not set and the operator has no default identity Secret');
  let identities;
  try {
    identities = await deps.identities.load(deps.client, keySecret, { signal: deps.signal, cached: deps.cachedSecret });
  } catch (error) {
    if (error instanceof AgeSecretError) return fail(error.reason, error.message);
    throw error;
  }
  const values = new Map<string, Uint8Array>();
  for (const entry of plan.entries) {
    try {
      const out = await decryptValue(entry.ciphertext, identities, { at: { namespace: plan.namespace, name: obj.metadata.name } });
      if (deps.settings.requireBinding && !out.scope)
        return fail(
          'BindingRequired',
          `${entry.field}: ciphertext is not bound to a namespace (age-secret encrypt --bind); this operator requires binding`,
        );
      values.set(entry.key, out.plaintext);
    } catch (error) {
      if (error instanceof AgeSecretError) return fail(error.reason, `${entry.field}: ${error.message}`);
      throw error;
    }
  }
  if (dataSize(values) > MAX_SECRET_BYTES) return fail('ValueTooLarge', `decrypted values total more than the 1 MiB a Secret may hold`);
  return values;
}

/** Makes the target Secret match; throws only for transient API failures (the framework retries). */
export async function applyAgeSecret(obj: AgeSecret, deps: ApplyDeps): Promise<ApplyOutcome> {
  let plan: SecretPlan;
  try {
    plan = planSecret(obj);
  } catch (error) {
    if (error instanceof AgeSecretError) return fail(error.reason, error.message);
    throw error;
  }
  const { client, signal } = deps;
  const uid = obj.metadata.uid;
  const claimant = { name: obj.metadata.name, uid };
  const key = { namespace: plan.namespace, name: plan.secretName };
  const hash = inputHash(plan);
  const done = (action: WriteAction, decrypted = false): ApplyOutcome => ({
    ok: true,
    secretName: plan.secretName,
    action,
    values: plan.entries.length,
    decrypted,
  });
  /** Refuses foreign Secrets and recognises up-to-date ones, all before decrypting. */
  const verdict = (existing: SecretObject | undefined): ApplyOutcome | undefined => {
    if (existing && ownershipOf(existing, claimant) === 'foreign') return notOwned(plan.secretName, obj.metadata.name);
    return existing && upToDate(existing, plan, hash, uid) ? done('unchanged') : undefined;
  };

  // The watch cache answers without an API call. It may lag: a stale "absent" ends in a create conflict
  // (then the Secret is read and judged again), a stale "present" in a replace conflict (retried), so
  // neither can overwrite a Secret this AgeSecret does not own.
  let existing = deps.cachedSecret?.(key) as SecretObject | undefined;
  if (!existing && !deps.cacheComplete?.()) existing = await client.tryGet<SecretObject>(SECRETS, key, { signal });
  const early = verdict(existing);
  if (early) return early;
  if (mustCheckOwner(obj, plan, existing)) {
    // One live read, only when a Secret this AgeSecret wrote has vanished (rare: a user's delete, or the above).
    const live = await client.tryGet(AGESECRETS, { namespace: plan.namespace, name: obj.metadata.name }, { signal });
    if (live?.metadata.uid !== uid)
      return {
        ok: false,
        gone: true,
        reason: 'AgeSecretGone',
        message: `AgeSecret ${obj.metadata.name} is gone; not restoring its Secret`,
      };
  }

  const values = await decryptAll(obj, plan, deps);
  if (!(values instanceof Map)) return values;
  const desired = desiredSecret(obj, plan, values, hash);
  values.forEach((v) => v.fill(0));
  for (let attempt = 0; ; attempt++) {
    try {
      return done(await writeSecret(client, { existing, desired, key, fieldManager: deps.settings.fieldManager, signal }), true);
    } catch (error) {
      if (error instanceof ConflictError && !existing && attempt === 0) {
        existing = await client.tryGet<SecretObject>(SECRETS, key, { signal });
        const judged = verdict(existing);
        if (judged) return judged;
        continue;
      }
      if (error instanceof ConflictError)
        throw new TemporaryError(`Secret ${plan.secretName} changed or appeared meanwhile; retrying`, { delayMs: 200, cause: error });
      if (error instanceof InvalidError)
        return fail(
          'SecretRejected',
          `the API server rejected Secret ${plan.secretName}: ${error.message.replace(/^.*?failed with /, '')}`,
          plan.secretName,
        );
      throw error;
    }
  }
}

/** What a write did; `adopted`: a Secret handed over by its adoption annotation is now owned and managed. */
export type WriteAction = 'created' | 'updated' | 'recreated' | 'adopted' | 'unchanged';

interface WriteOptions {
  existing: SecretObject | undefined;
  desired: SecretObject;
  key: { namespace: string; name: string };
  fieldManager: string;
  signal: AbortSignal | undefined;
}

/** One write towards the desired Secret (create, replace, or delete + create when the type or immutable data change). */
async function writeSecret(client: KubeClient, options: WriteOptions): Promise<WriteAction> {
  const { existing, desired, key, signal } = options;
  const writeOptions = { signal, fieldManager: options.fieldManager };
  if (!existing) {
    await client.create(SECRETS, desired, { ...writeOptions, namespace: key.namespace });
    return 'created';
  }
  // The caller judged this very version (ours, or consented); the resourceVersion precondition of every write
  // below makes a consent withdrawn or a Secret replaced meanwhile a conflict, never an overwrite.
  const adopting = !isOwnedBy(existing, desired.metadata.ownerReferences?.[0]?.uid);
  if (needsReplacement(existing, desired)) {
    await client.delete(SECRETS, key, {
      signal,
      preconditions: { uid: existing.metadata.uid!, resourceVersion: existing.metadata.resourceVersion! },
    });
    await client.create(SECRETS, desired, { ...writeOptions, namespace: key.namespace });
    return adopting ? 'adopted' : 'recreated';
  }
  if (secretMatches(existing, desired)) return 'unchanged';
  await client.replace(
    SECRETS,
    { ...desired, metadata: { ...desired.metadata, resourceVersion: existing.metadata.resourceVersion! } },
    writeOptions,
  );
  return adopting ? 'adopted' : 'updated';
}

/** Deletes a Secret only if this AgeSecret controls it (uid precondition guards against a racing replacement). */
export async function deleteOwnedSecret(client: KubeClient, obj: AgeSecret, name: string, signal?: AbortSignal): Promise<boolean> {
  const namespace = obj.metadata.namespace ?? '';
  const secret = await client.tryGet<SecretObject>(SECRETS, { namespace, name }, { signal });
  if (!secret || !isOwnedBy(secret, obj.metadata.uid)) return false;
  try {
    await client.delete(SECRETS, { namespace, name }, { signal, preconditions: { uid: secret.metadata.uid! } });
    return true;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ConflictError) return false;
    throw error;
  }
}

/**
 * Refusals that no later event can fix, decided for admission: the spec's own errors, a target Secret someone else
 * owns, a ciphertext bound elsewhere (or unbound under --require-binding). Missing or wrong keys are not among
 * them: the key Secret may simply arrive after the AgeSecret, and the Ready condition says so then.
 */
const DECIDED_AT_ADMISSION = new Set(['SecretNotOwned', 'BindingMismatch', 'BindingRequired', 'MalformedCiphertext', 'NotEncrypted']);

/** The reason and message to refuse an AgeSecret with at admission time, or undefined to let it in. */
export async function admissionRefusal(obj: AgeSecret, deps: ApplyDeps): Promise<{ reason: string; message: string } | undefined> {
  let plan: SecretPlan;
  try {
    plan = planSecret(obj);
  } catch (error) {
    if (error instanceof AgeSecretError) return { reason: error.reason, message: error.message };
    throw error;
  }
  const existing = deps.cachedSecret?.({ namespace: plan.namespace, name: plan.secretName }) as SecretObject | undefined;
  if (existing && ownershipOf(existing, { name: obj.metadata.name, uid: obj.metadata.uid }) === 'foreign') {
    const { reason, message } = notOwned(plan.secretName, obj.metadata.name);
    return { reason, message };
  }
  const decrypted = await decryptAll(obj, plan, deps);
  if (decrypted instanceof Map) {
    for (const v of decrypted.values()) v.fill(0);
    return undefined;
  }
  return !decrypted.ok && DECIDED_AT_ADMISSION.has(decrypted.reason) ? { reason: decrypted.reason, message: decrypted.message } : undefined;
}
