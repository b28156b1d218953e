// The "essence" of an object (what users change) and its hash: the base of change detection.
import { createHash } from 'node:crypto';
import type { KubeObject } from './objects.js';

/** Annotations that are bookkeeping, not user intent, and never count as a change. */
const ignoredAnnotations = [/^capstan\.dev\//, /\.capstan\.dev\//, /^kubectl\.kubernetes\.io\/last-applied-configuration$/];

/** Everything except status, apiVersion/kind and server-managed metadata; labels and user annotations kept. */
export function essenceOf(obj: KubeObject, options: { stateAnnotation?: string } = {}): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = obj;
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(([k]) => k !== options.stateAnnotation && !ignoredAnnotations.some((r) => r.test(k))),
  );
  const meta: Record<string, unknown> = {};
  if (metadata.labels && Object.keys(metadata.labels).length) meta.labels = metadata.labels;
  if (Object.keys(annotations).length) meta.annotations = annotations;
  return { ...(Object.keys(meta).length ? { metadata: meta } : {}), ...rest };
}

/** JSON with object keys sorted, so equal values serialise (and hash) equally. */
export function stableStringify(v: unknown): string {
  // One string grown in place (V8 ropes): every object is hashed on each event, so no per-node arrays.
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + stableStringify(v[i] === undefined ? null : v[i]);
    return out + ']';
  }
  const record = v as Record<string, unknown>;
  // Default sort compares UTF-16 code units, the order JSON keys had here before.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const x = record[key];
    if (x === undefined) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + stableStringify(x);
  }
  return out + '}';
}

/** The short hash of a value that the state annotation persists (22 characters of base64url SHA-256). */
export function hashOf(v: unknown): string {
  return digestOf(v).slice(0, 22);
}

/** The whole SHA-256 digest of a value (base64url, 43 characters): for comparisons kept in memory only. */
export function digestOf(v: unknown): string {
  return createHash('sha256').update(stableStringify(v)).digest('base64url');
}

/** Whether an object's essence must never be persisted in clear (core Secrets). */
export function isSecretLike(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined);
}
