// One watched resource at run time: reflectors and store, per-object entries, daemons, and writes.
import { namespaceMatcher, isGlob } from '../structs/globs.js';
import { backoffDelay } from '../structs/backoff.js';
import { NotFoundError } from '../structs/errors.js';
import { matchesObject } from '../structs/filters.js';
import { forCache, objectKeyOf, resourceId, type KubeObject, type ObjectKey, type ResolvedResource } from '../structs/objects.js';
import { mergePatchIsNoop, splitStatus } from '../structs/patch-accumulator.js';
import type { JsonPatchOp } from '../client/surface.js';
import { sleep } from '../kits/sleep.js';
import { recorderFor } from './events.js';
import { safely } from './hooks.js';
import { buildContext, invoke } from './invoke.js';
import { boundLogger, describeError, type Logger } from './logging.js';
import { isOlder, Reflector, type StoreEvent } from './reflector.js';
import type { ResourceRegistration, RegisteredDaemon } from './registry.js';
import { newEntry, type Entry, type Services, type Session } from './runtime-types.js';
import type { Cause, FilterOptions, WatchSettings } from './types.js';

export interface ScopeSettings {
  namespaces?: string[] | undefined;
  allNamespaces?: boolean | undefined;
}

export class ResourceRuntime {
  readonly store = new Map<string, KubeObject>();
  readonly entries = new Map<string, Entry>();
  readonly uidByKey = new Map<string, string>();
  readonly reflectors: Reflector[] = [];
  readonly logger: Logger;
  readonly id: string;
  session: Session | undefined;
  /** API writes made for this resource's objects (patches and finalizer changes). */
  writes = 0;
  /** Set by the operator: other runtimes fed by this one's changes. */
  feedTargets: { to: ResourceRuntime; map: (obj: KubeObject) => ObjectKey[] }[] = [];

  constructor(
    readonly reg: ResourceRegistration,
    readonly resource: ResolvedResource,
    readonly services: Services,
    readonly queuePrefix: string,
  ) {
    this.id = resourceId(resource);
    this.logger = boundLogger(services.logger, { resource: this.id });
    reg.lookup = (key) => this.store.get(objectKeyOf(key));
  }

  /** This resource's finalizer: the reconciler's `finalizer` option, else the operator's. */
  get finalizer(): string {
    return this.reg.reconciler?.options.finalizer ?? this.services.finalizer;
  }

  get hasObjectHandlers(): boolean {
    const r = this.reg;
    return r.handlers.length > 0 || r.timers.length > 0 || r.daemons.length > 0 || !!r.reconciler;
  }

  /** Build the reflectors for the scope: one per namespace, or one cluster-wide (filtered for globs). */
  createReflectors(scope: ScopeSettings, watch: WatchSettings | undefined, onSynced: () => void): Reflector[] {
    const labelSelector = this.reg.serverLabelSelector;
    if (labelSelector) this.logger.debug('listing and watching with a server-side label selector', { labelSelector });
    const base = {
      client: this.services.client, resource: this.resource, store: this.store, watch, logger: this.logger, labelSelector,
      hooks: this.services.hooks, onEvent: (e: StoreEvent) => this.onStoreEvent(e),
    };
    const patterns = scope.namespaces ?? [];
    let specs: { namespace?: string; accept?: (o: KubeObject) => boolean }[];
    if (!this.resource.namespaced || scope.allNamespaces || patterns.length === 0) specs = [{}];
    else if (patterns.some(isGlob)) {
      const match = namespaceMatcher(patterns);
      specs = [{ accept: (o) => match(o.metadata.namespace ?? '') }];
    } else specs = [...new Set(patterns)].map((namespace) => ({ namespace }));
    let pending = specs.length;
    for (const spec of specs) {
      let done = false;
      this.reflectors.push(new Reflector({
        ...base, ...spec,
        onSynced: () => {
          if (!done && (done = true) && --pending === 0) onSynced();
        },
      }));
    }
    return this.reflectors;
  }

  onStoreEvent(event: StoreEvent): void {
    const obj = event.object;
    for (const idx of this.reg.indexes.values()) idx.update(obj, event.type === 'DELETED');
    for (const feed of this.feedTargets) {
      let keys: ObjectKey[] = [];
      try {
        keys = feed.map(obj);
      } catch (error) {
        this.logger.warn('a watches() mapper failed', { error: describeError(error) });
      }
      for (const key of keys) feed.to.requestReconcile(key);
    }
    if (!this.hasObjectHandlers) return;
    const uid = obj.metadata.uid ?? '';
    const key = objectKeyOf(obj);
    let entry = this.entries.get(uid);
    if (event.type === 'DELETED') {
      if (!entry) entry = this.#addEntry(obj, key, false);
      entry.gone = true;
      entry.last = obj;
      if (this.uidByKey.get(key) === uid) this.uidByKey.delete(key);
    } else {
      if (!entry) entry = this.#addEntry(obj, key, !!event.initial);
      entry.last = obj;
    }
    entry.pendingEvent = event.type;
    this.session?.enqueue(this.queuePrefix + uid);
  }

  #addEntry(obj: KubeObject, key: string, initial: boolean): Entry {
    const entry = newEntry(obj, key, initial);
    this.entries.set(entry.uid, entry);
    this.uidByKey.set(key, entry.uid);
    return entry;
  }

  requestReconcile(key: ObjectKey): void {
    const uid = this.uidByKey.get(objectKeyOf(key));
    const entry = uid ? this.entries.get(uid) : undefined;
    if (!entry) return;
    entry.reconcileRequested = true;
    this.session?.enqueue(this.queuePrefix + entry.uid);
  }

  /** The current object of an entry: the cached one while it exists, else the last seen. */
  current(entry: Entry): KubeObject {
    const cached = this.store.get(entry.key);
    return cached && cached.metadata.uid === entry.uid ? cached : entry.last;
  }

  /** Put a version we received from our own write into the store early, so a re-run never sees an older one. */
  remember(obj: KubeObject): void {
    const key = objectKeyOf(obj);
    const prev = this.store.get(key);
    if (!prev || prev.metadata.uid !== obj.metadata.uid) return;
    if (isOlder(obj.metadata.resourceVersion, prev.metadata.resourceVersion)) return;
    const full = forCache(obj, prev);
    this.store.set(key, full);
    const entry = this.entries.get(obj.metadata.uid ?? '');
    if (entry) entry.last = full;
  }

  /** Whether the handler's label/annotation filters and `when` predicate accept the object. */
  matches(options: FilterOptions<KubeObject>, obj: KubeObject, cause: Cause, session: Session): boolean {
    if (!matchesObject(options, obj)) return false;
    if (!options.when) return true;
    try {
      return !!options.when(buildContext({
        cause, body: obj, retry: 0, signal: session.handlerSignal, client: this.services.client,
        events: recorderFor(this.services.poster, obj), logger: this.services.logger, resource: this.resource,
      }));
    } catch (error) {
      this.logger.warn('a when() filter threw; treating it as not matching', { error: describeError(error) });
      return false;
    }
  }

  /**
   * Apply a merge patch (status part to /status when the resource has it), skipping parts that would
   * change nothing. Returns the newest object written, or undefined if nothing was written.
   */
  async write(obj: KubeObject, patch: Record<string, unknown>, signal: AbortSignal): Promise<KubeObject | undefined> {
    let { main, status } = splitStatus(patch);
    if (status && !this.resource.hasStatus) {
      main = { ...main, ...status };
      status = undefined;
    }
    const key = { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' };
    let latest: KubeObject | undefined;
    const client = this.services.client;
    if (main && !mergePatchIsNoop(obj, main)) {
      safely(() => this.services.hooks?.patch?.({ resource: this.id, ...key, type: 'merge' }));
      this.writes++;
      latest = await client.patch(this.resource, key, main, { type: 'merge', signal });
    }
    if (status && !mergePatchIsNoop(obj, status)) {
      safely(() => this.services.hooks?.patch?.({ resource: this.id, ...key, subresource: 'status', type: 'merge' }));
      this.writes++;
      latest = await client.patchStatus(this.resource, key, status, { type: 'merge', signal });
    }
    if (latest) this.remember(latest);
    return latest;
  }

  /** Add or remove our finalizer with a conditional JSON Patch. */
  async patchFinalizers(obj: KubeObject, ops: JsonPatchOp[], signal: AbortSignal): Promise<KubeObject> {
    const key = { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' };
    safely(() => this.services.hooks?.patch?.({ resource: this.id, ...key, type: 'json' }));
    this.writes++;
    const latest = await this.services.client.patch(this.resource, key, ops, { type: 'json', signal });
    this.remember(latest);
    return latest;
  }

  /** Start daemons whose filters match, stop those that no longer match. */
  syncDaemons(entry: Entry, obj: KubeObject, session: Session): void {
    for (const d of this.reg.daemons) {
      const running = entry.daemons.get(d.id);
      const wanted = !obj.metadata.deletionTimestamp && this.matches(d.options, obj, 'daemon', session);
      if (wanted && !running) this.#startDaemon(entry, d, session);
      else if (!wanted && running) {
        running.abort();
        entry.daemons.delete(d.id);
      }
    }
  }

  stopDaemons(entry: Entry): void {
    for (const ac of entry.daemons.values()) ac.abort();
    entry.daemons.clear();
  }

  #startDaemon(entry: Entry, d: RegisteredDaemon, session: Session): void {
    const ac = new AbortController();
    const onEnd = () => ac.abort();
    session.signal.addEventListener('abort', onEnd, { once: true });
    entry.daemons.set(d.id, ac);
    const log = boundLogger(this.logger, { daemon: d.id, object: entry.key });
    void (async () => {
      for (let retry = 0; !ac.signal.aborted; retry++) {
        const body = this.current(entry);
        const result = await invoke(d.fn, {
          cause: 'daemon', body, live: () => (entry.gone ? undefined : this.current(entry)), retry, signal: ac.signal,
          client: this.services.client, events: recorderFor(this.services.poster, body), logger: this.services.logger, resource: this.resource,
        }, { backoff: d.options.backoff ?? { baseMs: 1000, capMs: 60_000 } });
        safely(() => this.services.hooks?.handlerRun?.({ resource: this.id, handler: d.id, kind: 'daemon', outcome: result.outcome, durationMs: result.durationMs, retry }));
        if (result.patch && !entry.gone) {
          await this.write(this.current(entry), result.patch, session.handlerSignal).catch((error) => {
            if (!(error instanceof NotFoundError)) log.warn('writing the daemon patch failed', { error: describeError(error) });
          });
        }
        if (result.outcome === 'success' || result.outcome === 'aborted') break;
        if (result.outcome === 'permanent') {
          log.error('daemon failed permanently', { error: describeError(result.error) });
          break;
        }
        log.warn('daemon failed; restarting', { error: describeError(result.error), retryInMs: result.delayMs });
        await sleep(result.delayMs ?? backoffDelay(retry), ac.signal);
      }
      session.signal.removeEventListener('abort', onEnd);
      if (entry.daemons.get(d.id) === ac) entry.daemons.delete(d.id);
    })();
  }
}
