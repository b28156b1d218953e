// What the engine remembers about one object (by uid) between processing rounds; owned by its resource controller.
import type { Progress } from '../../structs/progress.js';
import type { KubeObject } from '../../structs/objects.js';

export type RawEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ObjectMemory {
  readonly uid: string;
  /** `namespace/name`: the cache key. */
  readonly key: string;
  /** The last version seen (kept after deletion for delete handlers). */
  last: KubeObject;
  /** The DELETED event arrived. */
  gone: boolean;
  /** The latest raw event type not yet given to event handlers. */
  pendingEvent?: RawEventType | undefined;
  /** Seen in the first list: resume handlers apply (once per operator start, so kept in memory only). */
  initial: boolean;
  /** Per resume handler (created on first use, like `timers` and `deletion`: most objects never need one). */
  resume?: Map<string, Progress> | undefined;
  /** The diff base in memory (never older than the persisted one). */
  handled?: { hash: string; essence: Record<string, unknown> } | undefined;
  /** Hash of the essence last seen, and when it changed (timers' idleMs; only kept for resources with such timers). */
  seenHash?: string | undefined;
  lastChangeAt: number;
  /** What the last reconcile saw (essence and status): a reconcile runs again only when it changed, or when asked. */
  reconciledFingerprint?: string | undefined;
  reconcileRequested: boolean;
  /** Retries of the reconciler, and when it may run next (retry delay or requeueAfter). */
  reconcile: Progress;
  /** Per timer: `notBefore` is the next tick, `retries` the failures in a row. */
  timers?: Map<string, Progress> | undefined;
  /** Delete handlers and cleanup under our finalizer (also persisted: after a restart only the annotation knows). */
  deletion?: Map<string, Progress> | undefined;
  /** Delete handlers of an object without our finalizer ran (once, best effort). */
  farewellDone: boolean;
  /** Failed writes in a row (the round's own backoff). */
  writeRetries: number;
}

export function newMemory(obj: KubeObject, key: string, initial: boolean, now: number): ObjectMemory {
  return {
    uid: obj.metadata.uid ?? '',
    key,
    last: obj,
    gone: false,
    initial,
    lastChangeAt: now,
    reconcileRequested: false,
    reconcile: { retries: 0 },
    farewellDone: false,
    writeRetries: 0,
  };
}

/** The progress tables of an object's memory: per resume handler, timer, and delete handler or cleanup. */
export type ProgressTable = 'resume' | 'timers' | 'deletion';

/** The progress recorded for `id` in one of the object's tables. */
export function progressIn(memory: Readonly<ObjectMemory>, table: ProgressTable, id: string): Progress | undefined {
  return memory[table]?.get(id);
}

/** Records progress for `id`, creating the table on first use. */
export function recordProgress(memory: ObjectMemory, table: ProgressTable, id: string, progress: Progress): void {
  (memory[table] ??= new Map()).set(id, progress);
}
