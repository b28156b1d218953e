// KubeEventPoster: Kubernetes Events (core/v1) with identical events aggregated into one (count), rate-limited, never throwing.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../client/surface.js';
import { NotFoundError } from '../../structs/errors.js';
import { apiVersionOf, type KubeObject, type ResourceRef } from '../../structs/objects.js';
import type { EventPoster, EventRecorder, EventType } from '../hooks.js';
import { describeError, silentLogger, type Logger } from '../logging.js';
import type { OperatorMetrics } from './metrics.js';

export const eventsRef: ResourceRef = { version: 'v1', plural: 'events' };

/** Options of the Event poster: client, reporting component and instance, aggregation window and rate limit (burst, refill). */
export interface KubeEventPosterOptions {
  /** The client Events are created and updated through. */
  client: KubeClient;
  /** `source.component` and `reportingComponent`: the operator's name. */
  reportingComponent: string;
  /** `source.host` and `reportingInstance`: the pod or host name (the CLI passes it; the library reads no env). */
  reportingInstance?: string | undefined;
  /** Where failed and dropped posts are logged; silent by default. */
  logger?: Logger | undefined;
  /** Counts each post by outcome (created, aggregated, dropped, failed). */
  metrics?: OperatorMetrics | undefined;
  /** Identical events within this window update one Event (count, lastTimestamp). Default 10 minutes. */
  aggregateWindowMs?: number;
  /** Per-object token bucket: this many events at once... Default 25. */
  burst?: number;
  /** ...then one more per this interval. Default 10 s. */
  refillMs?: number;
  /** Clock (tests). */
  now?: () => Date;
}

/** The API Server's events/v1 limit for `note`; kept for core/v1 too so no Event is rejected for size. */
export const maxEventMessage = 1024;
const maxTracked = 4096;

interface Aggregate {
  namespace: string;
  name: string;
  count: number;
  lastPosted: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Posts Events through the API; a failed post is logged and swallowed (handlers never see it). */
export class KubeEventPoster implements EventPoster {
  readonly #o: Required<Omit<KubeEventPosterOptions, 'reportingInstance' | 'logger' | 'metrics'>> &
    Pick<KubeEventPosterOptions, 'reportingInstance' | 'metrics'> & { logger: Logger };
  // Insertion-ordered maps double as LRU caches: re-inserting on use moves a key to the end.
  readonly #aggregates = new Map<string, Aggregate>();
  readonly #buckets = new Map<string, Bucket>();
  /** Posts of the same key run one after the other, so a burst of identical events makes one Event. */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #pending = new Set<Promise<void>>();

  constructor(options: KubeEventPosterOptions) {
    this.#o = {
      aggregateWindowMs: 600_000,
      burst: 25,
      refillMs: 10_000,
      now: () => new Date(),
      ...options,
      logger: options.logger ?? silentLogger,
    };
  }

  /** Post an Event (or count it into an identical recent one); rate-limited per object, never rejects. */
  post(object: KubeObject, event: { type: EventType; reason: string; message: string }): Promise<void> {
    const meta = object.metadata;
    const objectKey = meta.uid ?? `${meta.namespace ?? ''}/${meta.name ?? ''}`;
    const message = truncate(event.message);
    const key = `${objectKey}\u0000${event.type}\u0000${event.reason}\u0000${message}`;
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.#post(object, { ...event, message }, key, objectKey));
    this.#chains.set(key, run);
    this.#pending.add(run);
    void run.finally(() => {
      this.#pending.delete(run);
      if (this.#chains.get(key) === run) this.#chains.delete(key);
    });
    return run;
  }

  /** A recorder bound to one object: what handlers get as `ctx.events`. */
  recorder(object: KubeObject): EventRecorder {
    return {
      info: (reason, message) => this.post(object, { type: 'Normal', reason, message }),
      warn: (reason, message) => this.post(object, { type: 'Warning', reason, message }),
    };
  }

  /** Wait for posts in flight (graceful shutdown). */
  async flush(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  async #post(
    object: KubeObject,
    event: { type: EventType; reason: string; message: string },
    key: string,
    objectKey: string,
  ): Promise<void> {
    const now = this.#o.now();
    if (!this.#take(objectKey, now.getTime())) {
      this.#o.metrics?.eventPosted({ type: event.type, outcome: 'dropped' });
      this.#o.logger.debug('event dropped by the rate limit', { reason: event.reason, object: describe(object) });
      return;
    }
    try {
      const aggregate = this.#aggregates.get(key);
      if (aggregate && now.getTime() - aggregate.lastPosted < this.#o.aggregateWindowMs) {
        try {
          await this.#o.client.patch(
            eventsRef,
            { namespace: aggregate.namespace, name: aggregate.name },
            {
              count: aggregate.count + 1,
              lastTimestamp: kubeTime(now),
            },
          );
          this.#remember(key, { ...aggregate, count: aggregate.count + 1, lastPosted: now.getTime() });
          this.#o.metrics?.eventPosted({ type: event.type, outcome: 'aggregated' });
          return;
        } catch (error) {
          // Expired (the API server's --event-ttl) or deleted: start a new one. Any other failure (say, RBAC
          // without `patch`) also falls back to creating one, so the Event is not lost.
          if (!(error instanceof NotFoundError))
            this.#o.logger.debug('could not update an aggregated event; creating a new one', {
              reason: event.reason,
              error: describeError(error),
            });
        }
      }
      const created = await this.#create(object, event, now);
      this.#remember(key, { ...created, count: 1, lastPosted: now.getTime() });
      this.#o.metrics?.eventPosted({ type: event.type, outcome: 'created' });
    } catch (error) {
      this.#aggregates.delete(key);
      this.#o.metrics?.eventPosted({ type: event.type, outcome: 'failed' });
      this.#o.logger.warn('could not post an event', { reason: event.reason, object: describe(object), error: describeError(error) });
    }
  }

  async #create(
    object: KubeObject,
    event: { type: EventType; reason: string; message: string },
    now: Date,
  ): Promise<{ namespace: string; name: string }> {
    const meta = object.metadata;
    // Events of cluster-scoped objects live in `default`, as kubectl and client-go expect.
    const namespace = meta.namespace || 'default';
    const base = (meta.name ?? meta.generateName ?? 'object').slice(0, 200);
    const name = `${base}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`;
    const time = kubeTime(now);
    const body = {
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: meta.name,
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        ...(meta.uid ? { uid: meta.uid } : {}),
        ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: this.#o.reportingComponent, ...(this.#o.reportingInstance ? { host: this.#o.reportingInstance } : {}) },
      reportingComponent: this.#o.reportingComponent,
      reportingInstance: this.#o.reportingInstance ?? '',
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
    await this.#o.client.create(eventsRef, body, { namespace });
    return { namespace, name };
  }

  #remember(key: string, aggregate: Aggregate): void {
    this.#aggregates.delete(key);
    this.#aggregates.set(key, aggregate);
    if (this.#aggregates.size > maxTracked) this.#aggregates.delete(this.#aggregates.keys().next().value as string);
  }

  #take(objectKey: string, now: number): boolean {
    const bucket = this.#buckets.get(objectKey) ?? { tokens: this.#o.burst, at: now };
    const refill = Math.floor((now - bucket.at) / this.#o.refillMs);
    if (refill > 0) {
      bucket.tokens = Math.min(this.#o.burst, bucket.tokens + refill);
      bucket.at += refill * this.#o.refillMs;
    }
    if (bucket.tokens >= this.#o.burst) bucket.at = now;
    const ok = bucket.tokens > 0;
    if (ok) bucket.tokens -= 1;
    this.#buckets.delete(objectKey);
    this.#buckets.set(objectKey, bucket);
    if (this.#buckets.size > maxTracked) this.#buckets.delete(this.#buckets.keys().next().value as string);
    return ok;
  }
}

/** Events as the API stores them: whole seconds. */
function kubeTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

export function truncate(message: string): string {
  return message.length > maxEventMessage ? `${message.slice(0, maxEventMessage - 3)}...` : message;
}

function describe(object: KubeObject): string {
  const kind = object.kind ?? apiVersionOf({ version: object.apiVersion ?? '?' });
  return `${kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name ?? '?'}`;
}
