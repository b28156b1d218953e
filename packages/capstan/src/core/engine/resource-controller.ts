// One watched resource at run time: its cache, its objects' memory, its daemons; it queues and processes its objects.
import { matchesObject } from '../../structs/filters.js';
import { isGlob, namespaceMatcher } from '../../structs/globs.js';
import { forCache, objectKeyOf, resourceId, type KubeObject, type ObjectKey, type ResolvedResource } from '../../structs/objects.js';
import { recorderFor } from './events.js';
import { safely } from '../hooks.js';
import { buildContext } from './invoke.js';
import { boundLogger, describeError, type Logger } from '../logging.js';
import { isOlder, Reflector, type StoreEvent } from './reflector.js';
import type { ResourceRegistration } from './registry.js';
import type { Cause, FilterOptions, WatchSettings } from '../types.js';
import { DaemonSupervisor } from './daemons.js';
import type { HandlerScope } from './handler-run.js';
import { newMemory, type ObjectMemory } from './memory.js';
import { ObjectWriter } from './object-writer.js';
import { runRound } from './round.js';
import type { EngineServices, Session } from './services.js';

/** Where and what to list and watch. */
export interface WatchScope {
  /** Namespaces (glob patterns allowed; `!pat` excludes); none or allNamespaces: every namespace. */
  namespaces?: readonly string[] | undefined;
  allNamespaces?: boolean | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

export interface ResourceControllerOptions {
  registration: ResourceRegistration;
  resource: ResolvedResource;
  services: EngineServices;
  /** The controllers of other resources, for the triggers (watches/owns) this resource's changes feed. */
  controllerOf: (registration: ResourceRegistration) => ResourceController | undefined;
}

/**
 * Owns everything about one resource's objects: the cache its reflectors fill, each object's memory, its
 * daemons and its writes. Others talk to it through `observe` (reflectors), `requestReconcile` (triggers),
 * `start`/`stop` (processing terms) and `process` (the queue's workers).
 */
export class ResourceController {
  readonly #store = new Map<string, KubeObject>();
  readonly #memory = new Map<string, ObjectMemory>();
  readonly #uidByKey = new Map<string, string>();
  readonly #reflectors: Reflector[] = [];
  readonly #writer: ObjectWriter;
  readonly #daemons: DaemonSupervisor;
  readonly #scope: HandlerScope;
  #session: Session | undefined;
  readonly id: string;
  readonly logger: Logger;
  readonly registration: ResourceRegistration;
  readonly resource: ResolvedResource;

  constructor(private readonly o: ResourceControllerOptions) {
    this.registration = o.registration;
    this.resource = o.resource;
    this.id = resourceId(o.resource);
    this.logger = boundLogger(o.services.logger, { resource: this.id });
    this.#scope = { services: o.services, resource: o.resource, resourceId: this.id, logger: this.logger };
    this.#writer = new ObjectWriter({ client: o.services.client, resource: o.resource, id: this.id, hooks: o.services.hooks });
    this.#daemons = new DaemonSupervisor(
      {
        scope: this.#scope,
        writer: this.#writer,
        live: (uid) => {
          const m = this.#memory.get(uid);
          return m && !m.gone ? this.#current(m) : undefined;
        },
        written: (obj) => this.#remember(obj),
      },
      o.registration.daemons,
    );
    o.registration.attach({
      kind: o.resource.kind,
      apiVersion: o.resource.group ? `${o.resource.group}/${o.resource.version}` : o.resource.version,
      lookup: (key) => this.#store.get(objectKeyOf(key)),
    });
  }

  /** This resource's finalizer: the reconciler's `finalizer` option, else the operator's. */
  get finalizer(): string {
    const own = this.registration.reconciler?.options.finalizer;
    return typeof own === 'string' ? own : this.o.services.finalizer;
  }

  /** API writes made for this resource's objects (patches and finalizer changes). */
  get writes(): number {
    return this.#writer.writes;
  }

  /** Objects in the cache. */
  get cached(): number {
    return this.#store.size;
  }

  get #handlesObjects(): boolean {
    const r = this.registration;
    return r.handlers.length > 0 || r.timers.length > 0 || r.daemons.length > 0 || !!r.reconciler;
  }

  /** Build the reflectors for the scope: one per namespace, or one cluster-wide (filtered for globs). */
  createReflectors(scope: WatchScope, watch: WatchSettings | undefined, onSynced: () => void): Reflector[] {
    const labelSelector = scope.labelSelector;
    if (labelSelector || scope.fieldSelector)
      this.logger.debug('listing and watching with server-side selectors', { labelSelector, fieldSelector: scope.fieldSelector });
    const base = {
      client: this.o.services.client,
      resource: this.resource,
      store: this.#store,
      watch,
      logger: this.logger,
      labelSelector,
      fieldSelector: scope.fieldSelector,
      transform: this.registration.options.transform,
      hooks: this.o.services.hooks,
      onEvent: (e: StoreEvent) => this.observe(e),
    };
    const patterns = scope.namespaces ?? [];
    let specs: { namespace?: string; accept?: (o: KubeObject) => boolean }[];
    if (!this.resource.namespaced || scope.allNamespaces || patterns.length === 0) specs = [{}];
    else if (patterns.some(isGlob)) {
      const match = namespaceMatcher([...patterns]);
      specs = [{ accept: (o) => match(o.metadata.namespace ?? '') }];
    } else specs = [...new Set(patterns)].map((namespace) => ({ namespace }));
    let pending = specs.length;
    for (const spec of specs) {
      let done = false;
      this.#reflectors.push(
        new Reflector({
          ...base,
          ...spec,
          onSynced: () => {
            if (!done && (done = true) && --pending === 0) onSynced();
          },
        }),
      );
    }
    return this.#reflectors;
  }

  /** A change in the cache (from a reflector): indexes, triggers of other reconcilers, and this object's next round. */
  observe(event: StoreEvent): void {
    const obj = event.object;
    const reg = this.registration;
    for (const idx of reg.indexes.values()) idx.update(obj, event.type === 'DELETED', event.key);
    for (const feed of reg.feeds) {
      const target = this.o.controllerOf(feed.to);
      if (!target) continue;
      let keys: ObjectKey[] = [];
      try {
        keys = feed.map(obj);
      } catch (error) {
        this.logger.warn('a watches() mapper failed', { error: describeError(error) });
      }
      for (const key of keys) target.requestReconcile(key);
    }
    if (!this.#handlesObjects) return;
    const uid = obj.metadata.uid ?? '';
    const key = event.key;
    let memory = this.#memory.get(uid);
    if (!memory) {
      memory = newMemory(obj, key, event.type !== 'DELETED' && !!event.initial, this.o.services.now());
      this.#memory.set(uid, memory);
      this.#uidByKey.set(key, uid);
    }
    memory.last = obj;
    if (event.type === 'DELETED') {
      memory.gone = true;
      if (this.#uidByKey.get(key) === uid) this.#uidByKey.delete(key);
    }
    memory.pendingEvent = event.type;
    this.#session?.enqueue(uid);
  }

  /** Run the reconciler of the object with this key again (a trigger fired). */
  requestReconcile(key: ObjectKey): void {
    const uid = this.#uidByKey.get(objectKeyOf(key));
    const memory = uid ? this.#memory.get(uid) : undefined;
    if (!memory) return;
    memory.reconcileRequested = true;
    this.#session?.enqueue(uid!);
  }

  /** A processing term begins: every known object is queued. */
  start(session: Session): void {
    this.#session = session;
    for (const uid of this.#memory.keys()) session.enqueue(uid);
  }

  /** The term ended: no more queueing, daemons stop. */
  stop(): void {
    this.#session = undefined;
    this.#daemons.stop();
  }

  /** The object's name, for the queue's hooks; undefined when it is not known (any more). */
  describe(uid: string): { namespace?: string | undefined; name: string } | undefined {
    const meta = this.#memory.get(uid)?.last.metadata;
    return meta ? { namespace: meta.namespace, name: meta.name ?? '' } : undefined;
  }

  /** One processing round of an object (the queue guarantees one at a time per object). */
  async process(uid: string): Promise<void> {
    const session = this.#session;
    const memory = this.#memory.get(uid);
    if (!session || !memory || session.signal.aborted) return;
    const writesBefore = this.#writer.writes;
    const result = await runRound({
      scope: this.#scope,
      registration: this.registration,
      writer: this.#writer,
      daemons: this.#daemons,
      memory,
      object: this.#current(memory),
      session,
      finalizer: this.finalizer,
      matches: (options, obj, cause) => this.#matches(options, obj, cause),
    });
    if (result.written) this.#remember(result.written);
    if (result.forget) this.#memory.delete(uid);
    else if (result.wakeAt !== undefined) session.enqueue(uid, Math.max(0, result.wakeAt - this.o.services.now()));
    const done = this.#current(memory);
    safely(() =>
      this.o.services.hooks?.processed?.({
        resource: this.id,
        namespace: done.metadata.namespace,
        name: done.metadata.name ?? '',
        resourceVersion: done.metadata.resourceVersion,
        writes: this.#writer.writes - writesBefore,
      }),
    );
  }

  /** The current object: the cached one while it exists, else the last seen. */
  #current(memory: ObjectMemory): KubeObject {
    const cached = this.#store.get(memory.key);
    return cached && cached.metadata.uid === memory.uid ? cached : memory.last;
  }

  /** Put a version our own write returned into the cache early, so a re-run never sees an older one. */
  #remember(obj: KubeObject): void {
    const key = objectKeyOf(obj);
    const prev = this.#store.get(key);
    if (!prev || prev.metadata.uid !== obj.metadata.uid) return;
    if (isOlder(obj.metadata.resourceVersion, prev.metadata.resourceVersion)) return;
    const cached = this.#transform(forCache(obj, prev));
    this.#store.set(key, cached);
    const memory = this.#memory.get(obj.metadata.uid ?? '');
    if (memory) memory.last = cached;
  }

  /** What the cache keeps of an object our own write returned: as the reflectors keep what they receive. */
  #transform(obj: KubeObject): KubeObject {
    const transform = this.registration.options.transform;
    if (!transform) return obj;
    try {
      return transform(obj);
    } catch (error) {
      this.logger.warn('the cache transform failed; caching the object whole', { object: objectKeyOf(obj), error: describeError(error) });
      return obj;
    }
  }

  /** Whether the label/annotation filters and the `when` predicate accept the object. */
  #matches(options: FilterOptions<KubeObject>, obj: KubeObject, cause: Cause): boolean {
    if (!matchesObject(options, obj)) return false;
    if (!options.when) return true;
    const services = this.o.services;
    try {
      return !!options.when(
        buildContext({
          cause,
          body: obj,
          retry: 0,
          signal: this.#session?.handlerSignal ?? AbortSignal.abort(),
          client: services.client,
          events: recorderFor(services.poster, obj),
          logger: services.logger,
          resource: this.resource,
        }),
      );
    } catch (error) {
      this.logger.warn('a when() filter threw; treating it as not matching', { error: describeError(error) });
      return false;
    }
  }
}
