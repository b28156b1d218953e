// The Secret an AgeSecret should produce: ownership, the input hash that lets us skip decryption, comparison.
import { createHash } from 'node:crypto';
import type { KubeObject, OwnerReference } from 'capstan';
import { API_VERSION, KIND, type AgeSecret } from '../resource.js';
import type { SecretPlan } from './spec-check.js';

/** Hash of everything the Secret is made from (ciphertexts are public): equal hash, same Secret. */
export const INPUT_HASH_ANNOTATION = 'age-secret.pyvo.io/input-hash';
/**
 * Hash of the Secret's data as the operator wrote it: a Secret whose data no longer matches was edited, so it
 * is decrypted and restored. It reveals nothing new: whoever can read this annotation can read the data.
 */
export const DATA_HASH_ANNOTATION = 'age-secret.pyvo.io/data-hash';
/** The Secret size limit of the API server (sum of data). */
export const MAX_SECRET_BYTES = 1024 * 1024;

export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
  /**
   * Only on the operator's cached copies of Secrets an AgeSecret controls (`compactCachedSecret`): the
   * `dataHash` of their `data`, which the cache keeps instead of the values. Never sent to the API server.
   */
  dataDigest?: string;
}

export function inputHash(plan: SecretPlan): string {
  const canonical = JSON.stringify({
    v: 1,
    secretName: plan.secretName,
    type: plan.type,
    entries: plan.entries.map((e) => [e.key, e.ciphertext]),
    labels: Object.entries(plan.labels).sort(),
    annotations: Object.entries(plan.annotations).sort(),
    // Only when set, so that the hashes of every Secret written before the field existed stay valid.
    ...(plan.immutable ? { immutable: true } : {}),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export function dataHash(data: Record<string, string> | undefined): string {
  const entries = Object.entries(data ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

/** The digest of a Secret's data, whether the values are at hand or only the cache's digest of them. */
export function dataHashOf(secret: SecretObject): string {
  return secret.dataDigest ?? dataHash(secret.data);
}

/** Whether the values of this (cached) Secret were replaced by their digest: a GET reads them. */
export function valuesDropped(secret: SecretObject): boolean {
  return secret.dataDigest !== undefined && secret.data === undefined;
}

/**
 * What the operator's Secret cache keeps (capstan's `transform`). The Secrets AgeSecrets control are read only
 * to recognise them as up to date, or to compare them with what a write would produce: both compare digests of
 * the values, so the cache keeps the digest (the data-hash annotation's string when it matches, as it does
 * for every Secret the operator wrote) and not the values. Every other Secret (key Secrets, foreign ones) is
 * kept whole. Decrypted values thus do not stay in the operator's memory for the life of the cache.
 */
export function compactCachedSecret(secret: SecretObject): SecretObject {
  const controlled = (secret.metadata.ownerReferences ?? []).some(
    (ref) => ref.controller === true && ref.kind === KIND && ref.apiVersion === API_VERSION,
  );
  if (!controlled || secret.data === undefined) return secret;
  const digest = dataHash(secret.data);
  const recorded = secret.metadata.annotations?.[DATA_HASH_ANNOTATION];
  // A literal of fixed shape: a rest-and-spread copy gave every cached Secret a hidden class of its own (~200 B).
  const { apiVersion, kind, metadata, type, immutable } = secret;
  const compact: SecretObject = { apiVersion, kind, metadata, type, dataDigest: recorded === digest ? recorded : digest };
  if (immutable !== undefined) compact.immutable = immutable;
  return compact;
}

export function ownerReferenceTo(obj: AgeSecret): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: obj.metadata.name,
    uid: obj.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether this AgeSecret (by uid) is the Secret's controller: the only Secrets we ever write or delete. */
export function isOwnedBy(secret: KubeObject, uid: string | undefined): boolean {
  return (
    Boolean(uid) && (secret.metadata.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid && ref.kind === KIND)
  );
}

export function dataSize(values: ReadonlyMap<string, Uint8Array>): number {
  let total = 0;
  for (const [key, value] of values) total += key.length + value.length;
  return total;
}

/** The full desired Secret (no resourceVersion). */
export function desiredSecret(obj: AgeSecret, plan: SecretPlan, values: ReadonlyMap<string, Uint8Array>, hash: string): SecretObject {
  const data: Record<string, string> = {};
  for (const [key, value] of values) data[key] = Buffer.from(value).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: plan.secretName,
      namespace: plan.namespace,
      labels: { ...plan.labels },
      annotations: { ...plan.annotations, [INPUT_HASH_ANNOTATION]: hash, [DATA_HASH_ANNOTATION]: dataHash(data) },
      ownerReferences: [ownerReferenceTo(obj)],
    },
    type: plan.type,
    data,
    ...(plan.immutable ? { immutable: true } : {}),
  };
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
  const ea = Object.entries(a ?? {}).sort();
  const eb = Object.entries(b ?? {}).sort();
  return ea.length === eb.length && ea.every(([k, v], i) => eb[i]?.[0] === k && eb[i]?.[1] === v);
};

/**
 * Whether the Secret is exactly what these inputs produce, without decrypting: same inputs (hash), type,
 * labels and annotations, and data untouched since the operator wrote it (data hash).
 */
export function upToDate(actual: SecretObject, plan: SecretPlan, hash: string, uid: string | undefined): boolean {
  const recordedDataHash = actual.metadata.annotations?.[DATA_HASH_ANNOTATION];
  return (
    (actual.type ?? 'Opaque') === plan.type &&
    (actual.immutable === true) === plan.immutable &&
    sameMap(actual.metadata.labels, plan.labels) &&
    sameMap(actual.metadata.annotations, {
      ...plan.annotations,
      [INPUT_HASH_ANNOTATION]: hash,
      [DATA_HASH_ANNOTATION]: recordedDataHash ?? '',
    }) &&
    recordedDataHash === dataHashOf(actual) &&
    isOwnedBy(actual, uid) &&
    (actual.metadata.ownerReferences ?? []).length === 1
  );
}

/**
 * Whether only a new Secret can reach `desired` (data compared by digest): the type never changes in place, nor does an immutable
 * Secret's data or its immutable flag (Kubernetes refuses such updates).
 */
export function needsReplacement(actual: SecretObject, desired: SecretObject): boolean {
  if ((actual.type ?? 'Opaque') !== desired.type) return true;
  return actual.immutable === true && (desired.immutable !== true || dataHashOf(actual) !== dataHash(desired.data));
}

/** Everything equal, data included (compared by digest: the cached copy may hold only that). */
export function secretMatches(actual: SecretObject, desired: SecretObject): boolean {
  return (
    (actual.type ?? 'Opaque') === desired.type &&
    (actual.immutable === true) === (desired.immutable === true) &&
    dataHashOf(actual) === dataHash(desired.data) &&
    sameMap(actual.metadata.labels, desired.metadata.labels) &&
    sameMap(actual.metadata.annotations, desired.metadata.annotations as Record<string, string>) &&
    (actual.metadata.ownerReferences ?? []).length === 1 &&
    actual.metadata.ownerReferences?.[0]?.uid === desired.metadata.ownerReferences?.[0]?.uid
  );
}
