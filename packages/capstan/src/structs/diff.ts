// Structural diffs between two JSON values, reported as a list of field-level changes.

/** The kind of a difference: a field added, changed or removed. */
export type DiffOp = 'add' | 'change' | 'remove';

/** One difference between two versions of an object: the operation, the field path and the old and new values. */
export interface DiffItem {
  /** Whether the field was added, changed or removed. */
  op: DiffOp;
  /** Path segments from the root, e.g. ['spec', 'replicas']. */
  path: string[];
  /** The value before; undefined for an added field. */
  old: unknown;
  /** The value after; undefined for a removed field. */
  new: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Field-level differences from `oldValue` to `newValue`; arrays are compared as whole values, like kopf. */
export function diff(oldValue: unknown, newValue: unknown, path: string[] = []): DiffItem[] {
  if (jsonEqual(oldValue, newValue)) return [];
  if (isObject(oldValue) && isObject(newValue)) {
    const keys = [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])].sort();
    return keys.flatMap((k) => diff(oldValue[k], newValue[k], [...path, k]));
  }
  if (oldValue === undefined) return [{ op: 'add', path, old: undefined, new: newValue }];
  if (newValue === undefined) return [{ op: 'remove', path, old: oldValue, new: undefined }];
  return [{ op: 'change', path, old: oldValue, new: newValue }];
}
