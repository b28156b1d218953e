// Internal state shared by the runtime's parts: operator-wide services and per-object entries.
import type { ApiClient } from '../client/surface.js';
import type { BackoffOptions } from '../structs/backoff.js';
import type { HandlerProgress } from '../structs/essence.js';
import type { KubeObject } from '../structs/objects.js';
import type { EventPoster, OperatorHooks } from './hooks.js';
import type { Logger } from './logging.js';

/** Operator-wide services every resource runtime uses. */
export interface Services {
  name: string;
  client: ApiClient;
  logger: Logger;
  hooks: OperatorHooks | undefined;
  poster: EventPoster | undefined;
  stateAnnotation: string;
  finalizer: string;
  backoff: BackoffOptions | undefined;
}

/** A processing term (while leading): its queue entry points and the signal handlers run under. */
export interface Session {
  enqueue(key: string, delayMs?: number): void;
  /** Aborted when handlers must stop (shutdown after the grace period, leadership lost). */
  handlerSignal: AbortSignal;
  /** Aborted as soon as the session ends (daemons stop, no new work). */
  signal: AbortSignal;
}

/** What the runtime remembers about one object (by uid) between processing rounds. */
export interface Entry {
  uid: string;
  key: string;
  /** The last version seen (kept after deletion for delete handlers). */
  last: KubeObject;
  gone: boolean;
  /** The latest raw event type not yet given to event handlers. */
  pendingEvent?: 'ADDED' | 'MODIFIED' | 'DELETED' | undefined;
  /** Seen in the first list: resume handlers apply. */
  initial: boolean;
  resumed: Map<string, HandlerProgress>;
  /** Diff base in memory (newer than or equal to the persisted one). */
  lastEssence?: { hash: string; essence: Record<string, unknown> };
  /** Hash of the essence last seen, and when it changed (timers' idleMs). */
  seenHash?: string;
  lastChangeAt: number;
  reconciledFingerprint?: string;
  reconcileRequested: boolean;
  reconcileRetry: number;
  reconcileNotBefore?: number;
  deleteProgress: Map<string, HandlerProgress>;
  bestEffortDeleteDone: boolean;
  timerNext: Map<string, number>;
  timerRetry: Map<string, number>;
  daemons: Map<string, AbortController>;
  /** Retry of a failed write or finalizer patch. */
  writeRetry: number;
}

export function newEntry(obj: KubeObject, key: string, initial: boolean): Entry {
  return {
    uid: obj.metadata.uid ?? '',
    key,
    last: obj,
    gone: false,
    initial,
    resumed: new Map(),
    lastChangeAt: Date.now(),
    reconcileRequested: false,
    reconcileRetry: 0,
    deleteProgress: new Map(),
    bestEffortDeleteDone: false,
    timerNext: new Map(),
    timerRetry: new Map(),
    daemons: new Map(),
    writeRetry: 0,
  };
}
