// The "essence" of an object (what users change) and the compact persisted handling state.
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
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => stableStringify(x === undefined ? null : x)).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
}

export function hashOf(v: unknown): string {
  return createHash('sha256').update(stableStringify(v)).digest('base64url').slice(0, 22);
}

/** Progress of one handler for the change being handled. */
export interface HandlerProgress {
  /** Retries so far. */
  r: number;
  /** 1 when the handler succeeded (or failed permanently, then `f` is 1). */
  d?: 1;
  f?: 1;
  /** Not before (epoch ms): the retry's delay. */
  t?: number;
  /** When the first attempt started (epoch ms): `ctx.startedAt` stays the same across retries and restarts. */
  s?: number;
}

/**
 * What capstan persists in its one annotation: the hash of the last handled essence, the essence itself
 * when small and not secret (the diff base for `old`/`diff` after a restart), and per-handler progress
 * of the change being handled (`ph` is the hash that progress belongs to). `dp` is the progress of the
 * delete handlers of an object being deleted under our finalizer (a deletion cannot be undone, so it
 * needs no hash).
 */
export interface PersistedState {
  v: 1;
  h?: string;
  e?: Record<string, unknown>;
  ph?: string;
  p?: Record<string, HandlerProgress>;
  dp?: Record<string, HandlerProgress>;
}

export function parseState(raw: string | undefined): PersistedState | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as PersistedState;
    return parsed && typeof parsed === 'object' && parsed.v === 1 ? parsed : undefined;
  } catch {
    return undefined; // someone edited it by hand: handle the object as new rather than crash
  }
}

export interface SerializeStateOptions {
  /** Largest serialised essence stored as diff base (bytes); larger ones keep only the hash. Default 32 KiB. */
  maxEssenceBytes?: number;
  /** Never store the essence (e.g. Secrets: it would hold their data). */
  hashOnly?: boolean;
}

/**
 * Serialise the state, dropping the essence when it is too big (kopf #1087: a full diff base overflowed
 * the 256 KiB annotation limit) or secret. The result stays small whatever the object's size.
 */
export function serializeState(state: PersistedState, options: SerializeStateOptions = {}): string {
  const max = options.maxEssenceBytes ?? 32 * 1024;
  const { e, ...rest } = state;
  if (e && !options.hashOnly) {
    const withEssence = JSON.stringify({ ...rest, e });
    if (Buffer.byteLength(withEssence) <= max) return withEssence;
  }
  return JSON.stringify(rest);
}

/** Whether an object's essence must never be persisted in clear (core Secrets). */
export function isSecretLike(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined);
}
