// Operator-wide services every resource controller uses, and a processing term's queue and signals.
import type { KubeClient } from '../../client/surface.js';
import type { BackoffOptions } from '../../structs/backoff.js';
import type { EventPoster, OperatorHooks } from '../hooks.js';
import type { Logger } from '../logging.js';

export interface EngineServices {
  name: string;
  /** The operator's client: the engine's writes and handlers' `ctx.client`. */
  client: KubeClient;
  logger: Logger;
  hooks: OperatorHooks | undefined;
  poster: EventPoster | undefined;
  stateAnnotation: string;
  /** The operator-wide default finalizer name. */
  finalizer: string;
  backoff: BackoffOptions | undefined;
  /** Clock (tests). */
  now: () => number;
}

/** A processing term (while leading): where to queue work and the signals handlers run under. */
export interface Session {
  /** Queue an object of this controller (after a delay: a retry or a timer). */
  enqueue(uid: string, delayMs?: number): void;
  /** Aborted when handlers must stop (shutdown after the grace period, leadership lost). */
  handlerSignal: AbortSignal;
  /** Aborted as soon as the term ends (daemons stop, no new work). */
  signal: AbortSignal;
}
