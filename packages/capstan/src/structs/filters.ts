// Label/annotation/field filters that decide whether a handler applies to an object.
import { getPath } from './paths.js';
import { jsonEqual } from './diff.js';

/** The key must be present (any value). */
export const PRESENT: unique symbol = Symbol.for('capstan.PRESENT');
/** The key must be absent. */
export const ABSENT: unique symbol = Symbol.for('capstan.ABSENT');

/** One value filter of a MetaFilter: an exact value, a predicate, `PRESENT` or `ABSENT`. */
export type ValueFilter = typeof PRESENT | typeof ABSENT | string | ((value: string | undefined) => boolean);
/** A filter on labels or annotations: per key a value, a predicate, `PRESENT` or `ABSENT`. */
export type MetaFilter = Record<string, ValueFilter>;

export function matchesValue(filter: ValueFilter, value: string | undefined): boolean {
  if (filter === PRESENT) return value !== undefined;
  if (filter === ABSENT) return value === undefined;
  if (typeof filter === 'function') return filter(value);
  return value === filter;
}

/** Every key's filter must match (an empty or absent filter matches everything). */
export function matchesMeta(filter: MetaFilter | undefined, values: Record<string, string> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([k, f]) => matchesValue(f, values?.[k]));
}

export interface ObjectFilter {
  labels?: MetaFilter;
  annotations?: MetaFilter;
}

export function matchesObject(
  filter: ObjectFilter,
  obj: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined,
): boolean {
  if (!obj) return false;
  return matchesMeta(filter.labels, obj.metadata?.labels) && matchesMeta(filter.annotations, obj.metadata?.annotations);
}

/** Whether the value at `path` differs between two versions of an object. */
export function fieldChanged(path: string, oldObj: unknown, newObj: unknown): boolean {
  return !jsonEqual(getPath(oldObj, path), getPath(newObj, path));
}

/** The requirements of a label filter the server understands (exact values and PRESENT/ABSENT), e.g. `a`, `!b`, `c=x`. */
export function labelRequirements(filter: MetaFilter | undefined): string[] {
  const parts: string[] = [];
  for (const [k, f] of Object.entries(filter ?? {})) {
    if (f === PRESENT) parts.push(k);
    else if (f === ABSENT) parts.push(`!${k}`);
    else if (typeof f === 'string') parts.push(`${k}=${f}`);
  }
  return parts;
}

/** A label selector string for the server (only exact values and PRESENT/ABSENT can be pushed down). */
export function labelSelectorFor(filter: MetaFilter | undefined): string | undefined {
  const parts = labelRequirements(filter);
  return parts.length ? parts.join(',') : undefined;
}

/**
 * The selector every one of several filters implies: the requirements they all share (an object failing one
 * of them matches none of the filters). undefined when they share none, or when there are no filters.
 */
export function sharedLabelSelector(filters: readonly (MetaFilter | undefined)[]): string | undefined {
  if (!filters.length) return undefined;
  const [first, ...rest] = filters.map((f) => new Set(labelRequirements(f)));
  const shared = [...(first ?? [])].filter((r) => rest.every((set) => set.has(r)));
  return shared.length ? shared.sort().join(',') : undefined;
}
