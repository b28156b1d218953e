// Read-only deep copies of objects, handed to handlers so they cannot mutate the cache.

/** A deeply read-only view of a type: what handlers get, so they cannot mutate the cache. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends (...args: never[]) => unknown
    ? T
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** A frozen deep copy of a JSON value. */
export function frozenCopy<T>(value: T): DeepReadonly<T> {
  if (value === undefined) return value as DeepReadonly<T>;
  return frozenClone(value) as DeepReadonly<T>;
}

// One pass that copies and freezes: every handler run takes a snapshot, and structuredClone followed by a
// freezing walk cost about three times as much for the plain JSON objects the API server sends.
function frozenClone(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = frozenClone(v[i]);
    return Object.freeze(out);
  }
  // Objects that are not plain JSON (Dates, Buffers, Maps) keep structuredClone's exact semantics.
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return deepFreeze(structuredClone(v));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = frozenClone((v as Record<string, unknown>)[key]);
  return Object.freeze(out);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const child of Object.values(v as object)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
