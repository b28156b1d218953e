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
  return deepFreeze(structuredClone(value)) as DeepReadonly<T>;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const child of Object.values(v as object)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
