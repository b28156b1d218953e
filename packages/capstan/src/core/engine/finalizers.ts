// Adding and removing our finalizer with conditional JSON Patches that never clobber other finalizers.
import type { JsonPatchOp } from '../../client/surface.js';
import type { KubeObject } from '../../structs/objects.js';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

/**
 * The patch adding a finalizer: conditional on the list we saw (or, when there is none, on the
 * resourceVersion), so a concurrent change by someone else fails the `test` instead of being overwritten.
 */
export function addFinalizerOps(obj: KubeObject, finalizer: string): JsonPatchOp[] {
  const current = obj.metadata.finalizers;
  if (!current || current.length === 0) {
    return [
      { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
      { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
    ];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: current },
    { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
  ];
}

/** The patch removing our finalizers (one or several), conditional on the exact list we saw. Undefined when none is there. */
export function removeFinalizerOps(obj: KubeObject, finalizers: string | readonly string[]): JsonPatchOp[] | undefined {
  const ours = typeof finalizers === 'string' ? [finalizers] : finalizers;
  const current = obj.metadata.finalizers ?? [];
  // Highest index first, so each removal leaves the indexes of the next ones unchanged.
  const indexes = current
    .map((f, i) => (ours.includes(f) ? i : -1))
    .filter((i) => i >= 0)
    .reverse();
  if (indexes.length === 0) return undefined;
  return [
    { op: 'test', path: '/metadata/finalizers', value: current },
    ...indexes.map((i) => ({ op: 'remove' as const, path: `/metadata/finalizers/${i}` })),
  ];
}
