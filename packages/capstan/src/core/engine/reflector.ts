// List-then-watch into a shared store, forever: restarts on errors, stream ends, stalls and 410 Gone.
import type { KubeClient, WatchEvent } from '../../client/surface.js';
import { backoffDelay } from '../../structs/backoff.js';
import { BadRequestError, CapstanError, GoneError, InvalidError } from '../../structs/errors.js';
import { apiVersionOf, forCacheInPlace, objectKeyOf, resourceId, type KubeObject, type ResolvedResource } from '../../structs/objects.js';
import { linkedAbort, sleep } from '../../kits/sleep.js';
import { safely, type OperatorHooks } from '../hooks.js';
import { describeError, type Logger } from '../logging.js';
import type { WatchSettings } from '../types.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  object: KubeObject;
  /** The object's `namespace/name` (its store key): computed once, shared by everything that files the object. */
  key: string;
  /** From the (re-)list rather than the watch stream. */
  listed: boolean;
  /** Synthesised: the object vanished while the watch was down (seen on re-list). */
  synthetic?: boolean;
  /** From the very first list (objects that existed when the operator started). */
  initial?: boolean;
}

export interface ReflectorOptions {
  client: KubeClient;
  resource: ResolvedResource;
  /** Namespace to list/watch; undefined for all namespaces or cluster-scoped resources. */
  namespace?: string | undefined;
  /** Client-side namespace filter (globs watched cluster-wide). */
  accept?: (obj: KubeObject) => boolean;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** What the store keeps of each object in scope (the resource's `transform` option); default: the object. */
  transform?: ((obj: KubeObject) => KubeObject) | undefined;
  /** Resume watching from this version with a store already filled (skips the first list unless it expired). */
  resourceVersion?: string | undefined;
  /** The shared store: `namespace/name` -> latest object. */
  store: Map<string, KubeObject>;
  onEvent: (event: StoreEvent) => void;
  onSynced?: () => void;
  watch?: WatchSettings;
  logger: Logger;
  hooks?: OperatorHooks | undefined;
}

/** The annotation of the bookmark that ends a streaming list's initial events. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** Whether a watch event is the bookmark that closes a streaming list's initial events. */
export function isInitialEventsEnd(event: WatchEvent): boolean {
  return event.type === 'BOOKMARK' && event.object?.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true';
}

/**
 * Whether a failed streaming list means "this server cannot stream lists" (fall back to paged lists) rather than
 * a passing failure: servers without WatchList refuse sendInitialEvents/resourceVersionMatch with 400 or 422.
 */
export function streamingRefused(error: unknown): boolean {
  return error instanceof InvalidError || error instanceof BadRequestError || error instanceof StreamingNotHonouredError;
}

/** The server opened the watch but sent nothing of a streaming list (it ignored sendInitialEvents). */
export class StreamingNotHonouredError extends CapstanError {}

/** A streaming list's stream ended before its initial events were complete. */
class InitialEventsCutError extends CapstanError {}

/** Numeric resourceVersions (etcd revisions) compare as numbers; anything else counts as newer. */
export function isOlder(candidate: string | undefined, than: string | undefined): boolean {
  if (!candidate || !than || !/^\d+$/.test(candidate) || !/^\d+$/.test(than)) return false;
  return BigInt(candidate) < BigInt(than);
}

export class Reflector {
  /** Watch (re)starts, errors and events seen: for tests, probes and metrics. */
  readonly stats = { lists: 0, streamedLists: 0, watches: 0, errors: 0, events: 0, gone: 0, stalls: 0 };
  #synced = false;
  /** Set once the server refused a streaming list ('auto' mode): paged lists from then on. */
  #streamingUnsupported = false;
  #rv: string | undefined;
  /** The namespace string the last object carried: objects of one namespace share one copy of it. */
  #namespace: string | undefined;
  readonly #o: ReflectorOptions;
  readonly #id: string;

  constructor(options: ReflectorOptions) {
    this.#o = options;
    this.#id = resourceId(options.resource) + (options.namespace ? ` in ${options.namespace}` : '');
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** The last resourceVersion seen (from a list, an event or a bookmark). */
  get resourceVersion(): string | undefined {
    return this.#rv;
  }

  /**
   * The object as the store keeps it: its namespace string shared with the previous object's when equal
   * (lists and watches come grouped by namespace; each parsed object otherwise has its own copy), then the
   * resource's transform. A transform that throws leaves the object whole (logged), never unwatched.
   */
  #forStore(obj: KubeObject): KubeObject {
    const namespace = obj.metadata.namespace;
    if (namespace !== undefined) {
      if (namespace === this.#namespace) obj.metadata.namespace = this.#namespace;
      else this.#namespace = namespace;
    }
    const transform = this.#o.transform;
    if (!transform) return obj;
    try {
      return transform(obj);
    } catch (error) {
      this.#o.logger.warn('the cache transform failed; caching the object whole', {
        resource: this.#id,
        object: objectKeyOf(obj),
        error: describeError(error),
      });
      return obj;
    }
  }

  #inScope(obj: KubeObject): boolean {
    if (this.#o.namespace && obj.metadata.namespace !== this.#o.namespace) return false;
    return this.#o.accept ? this.#o.accept(obj) : true;
  }

  /** Replace the store's view of this scope with a full list, emitting the differences. */
  #applyList(items: KubeObject[], first: boolean): void {
    const seen = new Set<string>();
    for (const obj of items) {
      if (!this.#inScope(obj)) continue;
      const key = objectKeyOf(obj);
      seen.add(key);
      const prev = this.#o.store.get(key);
      this.#o.store.set(key, obj);
      if (!prev || prev.metadata.uid !== obj.metadata.uid) {
        if (prev) this.#o.onEvent({ type: 'DELETED', object: prev, key, listed: true, synthetic: true });
        this.#o.onEvent({ type: 'ADDED', object: obj, key, listed: true, initial: first });
      } else if (first || prev.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.#o.onEvent({ type: 'MODIFIED', object: obj, key, listed: true, initial: first });
      }
    }
    for (const [key, obj] of this.#o.store) {
      if (seen.has(key) || !this.#inScope(obj)) continue;
      // Deleted while we were not watching: the DELETED event was lost with the compacted history.
      this.#o.store.delete(key);
      this.#o.onEvent({ type: 'DELETED', object: obj, key, listed: true, synthetic: true });
    }
  }

  /**
   * List page by page into a new generation (typed and stripped in place, one page's raw JSON alive at a
   * time), then diff it into the store: a failure mid-way leaves the store as it was, and nothing is
   * emitted before the last page (as when the whole list was fetched first).
   */
  async #list(signal: AbortSignal): Promise<string | undefined> {
    const type = { apiVersion: apiVersionOf(this.#o.resource), kind: this.#o.resource.kind };
    const generation: KubeObject[] = [];
    let rv: string | undefined;
    const pages = this.#o.client.listPages(this.#o.resource, {
      namespace: this.#o.namespace,
      labelSelector: this.#o.labelSelector,
      fieldSelector: this.#o.fieldSelector,
      signal,
    });
    for await (const page of pages) {
      for (const obj of page.items) {
        const cached = forCacheInPlace(obj, type);
        if (this.#inScope(cached)) generation.push(this.#forStore(cached));
      }
      rv = page.resourceVersion;
    }
    this.stats.lists++;
    this.#applyList(generation, !this.#synced);
    return rv;
  }

  /** Whether the next (re-)list streams: by the settings, and unless this server refused it before. */
  get #streams(): boolean {
    const mode = this.#o.watch?.listMode ?? 'auto';
    return mode === 'stream' || (mode === 'auto' && !this.#streamingUnsupported);
  }

  /**
   * The initial events of a streaming list, read from `events` up to the bookmark that ends them, then diffed
   * into the store exactly as a paged list is (#applyList). `events` stays open: the caller watches on with it.
   * Returns the bookmark's resourceVersion.
   */
  async #streamList(events: AsyncIterator<WatchEvent>, onEvent: () => void): Promise<string | undefined> {
    const type = { apiVersion: apiVersionOf(this.#o.resource), kind: this.#o.resource.kind };
    const generation = new Map<string, KubeObject>();
    let received = 0;
    for (;;) {
      const next = await events.next();
      if (next.done) {
        // No event at all: the server ignored sendInitialEvents (a stream that ended early sent some).
        if (received === 0) throw new StreamingNotHonouredError('the watch sent no initial events and no end bookmark');
        throw new InitialEventsCutError('the streaming list ended before its initial events were complete');
      }
      received++;
      onEvent();
      const ev = next.value;
      this.stats.events++;
      if (isInitialEventsEnd(ev)) {
        this.stats.lists++;
        this.stats.streamedLists++;
        this.#applyList([...generation.values()], !this.#synced);
        return ev.object.metadata.resourceVersion;
      }
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
        const obj = forCacheInPlace(ev.object, type);
        if (this.#inScope(obj)) generation.set(objectKeyOf(obj), this.#forStore(obj));
      } else if (ev.type === 'DELETED') generation.delete(objectKeyOf(ev.object));
    }
  }

  #applyEvent(type: StoreEventType, received: KubeObject): void {
    if (!this.#inScope(received)) return;
    const obj = this.#forStore(received);
    const key = objectKeyOf(obj);
    const prev = this.#o.store.get(key);
    if (type === 'DELETED') {
      if (prev && prev.metadata.uid === obj.metadata.uid) this.#o.store.delete(key);
    } else {
      // Our own writes put newer versions into the store early; never go back to an older one.
      if (prev && prev.metadata.uid === obj.metadata.uid && isOlder(obj.metadata.resourceVersion, prev.metadata.resourceVersion)) return;
      this.#o.store.set(key, obj);
    }
    this.#o.onEvent({ type, object: obj, key, listed: false });
  }

  /** Runs until the signal aborts. Never throws: every failure is logged, counted and retried. */
  async run(signal: AbortSignal): Promise<void> {
    const settings = this.#o.watch ?? {};
    const timeoutSeconds = settings.timeoutSeconds ?? 300;
    const inactivityMs = settings.inactivityMs ?? (timeoutSeconds + 60) * 1000;
    let rv: string | undefined = this.#o.resourceVersion;
    if (rv) this.#synced = true;
    let failures = 0;
    let reason = 'initial';
    while (!signal.aborted) {
      // Spread reconnects of many watches: up to +10% on the server timeout.
      const serverTimeout = Math.max(1, Math.round(timeoutSeconds * (1 + Math.random() * 0.1)));
      const { signal: streamSignal, controller, dispose } = linkedAbort(signal);
      let stalled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => ((stalled = true), controller.abort()), ms);
      };
      const watch = (resourceVersion: string | undefined, streamList: boolean) =>
        this.#o.client
          .watch(this.#o.resource, {
            namespace: this.#o.namespace,
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: serverTimeout,
            labelSelector: this.#o.labelSelector,
            fieldSelector: this.#o.fieldSelector,
            signal: streamSignal,
            ...(streamList ? { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' as const } : {}),
          })
          [Symbol.asyncIterator]();
      try {
        // The inner try only stops the stall timer and the stream; the outer one handles every failure.
        try {
          let events: AsyncIterator<WatchEvent> | undefined;
          if (!rv) {
            if (this.#streams) {
              // One request lists and then watches: the initial events, their end bookmark, then changes.
              const stream = watch(undefined, true);
              // A list that streams keeps sending; a server that ignored sendInitialEvents sends nothing.
              const initialMs = Math.min(inactivityMs, 30_000);
              arm(initialMs);
              try {
                rv = await this.#streamList(stream, () => arm(initialMs));
                events = stream;
              } catch (error) {
                const refused = streamingRefused(error) || (stalled && error instanceof StreamingNotHonouredError);
                if (!refused || (settings.listMode ?? 'auto') !== 'auto' || signal.aborted) throw error;
                this.#streamingUnsupported = true;
                this.#o.logger.debug('the server does not stream lists; listing page by page from now on', {
                  resource: this.#id,
                  error: describeError(error),
                });
                stalled = false;
                arm(inactivityMs);
                rv = await this.#list(signal);
              }
            } else rv = await this.#list(signal);
            this.#rv = rv;
            if (!this.#synced) {
              this.#synced = true;
              this.#o.onSynced?.();
              safely(() => this.#o.hooks?.synced?.({ resource: this.#id }));
            }
          }
          this.stats.watches++;
          safely(() => this.#o.hooks?.watchRestart?.({ resource: this.#id, reason }));
          events ??= watch(rv, false);
          arm(inactivityMs);
          for (let next = await events.next(); !next.done; next = await events.next()) {
            const ev = next.value;
            arm(inactivityMs);
            failures = 0;
            this.stats.events++;
            rv = ev.object?.metadata?.resourceVersion ?? rv;
            this.#rv = rv;
            safely(() => this.#o.hooks?.watchEvent?.({ resource: this.#id, type: ev.type }));
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') {
              this.#applyEvent(ev.type, forCacheInPlace(ev.object, { kind: this.#o.resource.kind }));
            }
          }
        } finally {
          clearTimeout(timer);
          dispose();
        }
        if (stalled && !signal.aborted) {
          this.stats.stalls++;
          reason = 'stalled';
          this.#o.logger.warn('watch stream silent too long; restarting it', { resource: this.#id, inactivityMs });
        } else reason = 'ended';
      } catch (error) {
        if (signal.aborted) break;
        this.stats.errors++;
        safely(() => this.#o.hooks?.watchError?.({ resource: this.#id, error }));
        if (error instanceof GoneError) {
          // History compacted past our version: list again and diff against the store.
          this.stats.gone++;
          rv = undefined;
          reason = 'gone';
          this.#o.logger.info('watch resourceVersion expired (410); re-listing', { resource: this.#id });
          continue;
        }
        reason = 'error';
        const delay = backoffDelay(failures++, settings.backoff ?? { baseMs: 500, capMs: 30_000 });
        this.#o.logger.warn('watching failed; retrying', { resource: this.#id, error: describeError(error), retryInMs: delay });
        await sleep(delay, signal);
      }
    }
  }
}
