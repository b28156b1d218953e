// Seams for production features built on the core: metrics hooks, Event posting and leadership gating.
import type { KubeObject } from '../structs/objects.js';

/** The kind of a handler as hooks and metrics report it (change handler, timer, daemon, reconciler). */
export type HandlerKind = 'create' | 'update' | 'delete' | 'resume' | 'event' | 'field' | 'timer' | 'daemon' | 'reconcile' | 'cleanup';
/** How a handler run ended, as hooks and metrics report it: success, temporary or permanent failure, timeout. */
export type HandlerOutcome = 'success' | 'retry' | 'permanent' | 'timeout' | 'aborted';

/** Observers the runtime calls (metrics, tracing). All optional; exceptions thrown by hooks are ignored. */
export interface OperatorHooks {
  /** A handler run ended: its outcome and duration; `retry` counts the earlier attempts (0 on the first). */
  handlerRun?(info: {
    resource: string;
    handler: string;
    kind: HandlerKind;
    outcome: HandlerOutcome;
    durationMs: number;
    retry: number;
  }): void;
  /** A watch event arrived (ADDED, MODIFIED, DELETED or BOOKMARK). */
  watchEvent?(info: { resource: string; type: string }): void;
  /** A watch stream (re)started; `reason` is 'initial', 'ended', 'gone', 'error' or 'stalled'. */
  watchRestart?(info: { resource: string; reason: string }): void;
  /** Listing or watching the resource failed (410 Gone included); the watch is restarted after it. */
  watchError?(info: { resource: string; error: unknown }): void;
  /** Initial list of a resource done (readiness). */
  synced?(info: { resource: string }): void;
  /** Work was queued: `depth` counts objects queued, running or scheduled (all resources), `running` the busy workers. */
  queue?(info: { resource: string; depth: number; running: number }): void;
  /**
   * A worker started a processing round of an object: `waitMs` since it was first queued (a burst keeps the
   * earliest time). `key` identifies the round until `workFinished` with the same key.
   */
  workStarted?(info: { resource: string; namespace?: string | undefined; name: string; key: string; waitMs: number }): void;
  /** The round started under `key` ended (however it ended). */
  workFinished?(info: { resource: string; key: string; durationMs: number }): void;
  /** capstan wrote to an object (its patch and the subresource): before the request. Never log `patch` for Secrets. */
  patch?(info: {
    resource: string;
    namespace?: string | undefined;
    name: string;
    subresource?: string | undefined;
    type: 'merge' | 'json';
  }): void;
  /** One processing round of an object ended (tests wait on it; `writes` counts the API writes it made). */
  processed?(info: {
    resource: string;
    namespace?: string | undefined;
    name: string;
    resourceVersion: string | undefined;
    writes: number;
  }): void;
  /** A request to the API server ended; `status` is 0 when no response came. */
  apiRequest?(info: { verb: string; method: string; status: number; durationMs: number }): void;
  /** This instance started or stopped leading. */
  leadership?(info: { leading: boolean }): void;
}

/** The type of a Kubernetes Event: Normal or Warning. */
export type EventType = 'Normal' | 'Warning';

/** Posts Kubernetes Events about an object. Implementations must never throw into handlers. */
export interface EventPoster {
  /** Post an Event about `object`; resolves when it is posted or given up on. */
  post(object: KubeObject, event: { type: EventType; reason: string; message: string }): Promise<void>;
}

/** What handlers get as `ctx.events`. */
export interface EventRecorder {
  /** Post a Normal Event about the object; `reason` is CamelCase and machine-readable. */
  info(reason: string, message: string): Promise<void>;
  /** Post a Warning Event about the object. */
  warn(reason: string, message: string): Promise<void>;
}

/**
 * Gates processing on leadership: `acquire` resolves once this instance may act, with a signal that
 * aborts when leadership is lost (then the runtime stops handlers and calls `acquire` again).
 * Watching and caches keep running while not leading, so a standby takes over warm.
 */
export interface LeadershipGate {
  /** Wait for leadership: resolves with a signal that aborts when it is lost, or undefined if `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<AbortSignal | undefined>;
  /** Called on graceful shutdown so a standby can take over at once. */
  release?(): Promise<void>;
}

export function safely(fn: (() => void) | undefined): void {
  try {
    fn?.();
  } catch {
    // a failing metrics hook must never break processing
  }
}
