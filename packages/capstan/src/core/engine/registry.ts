// What operators register per resource: handlers, timers, daemons, the reconciler, triggers and indexes.
import { ConfigurationError } from '../../structs/errors.js';
import type { AdmissionOptions, MutateHandler, ValidateHandler } from '../admission/types.js';
import { sharedLabelSelector } from '../../structs/filters.js';
import { objectKeyOf, type KubeObject, type ObjectKey, type ResourceRef } from '../../structs/objects.js';
import type {
  Cause,
  DaemonOptions,
  Handler,
  HandlerOptions,
  Index,
  Reconciler,
  ReconcileOptions,
  ResourceHandle,
  ResourceOptions,
  TimerOptions,
} from '../types.js';

/** An admission handler of a resource. */
export type RegisteredAdmission =
  | { kind: 'validate'; id: string; fn: ValidateHandler<KubeObject>; options: AdmissionOptions }
  | { kind: 'mutate'; id: string; fn: MutateHandler<KubeObject>; options: AdmissionOptions };

export type ChangeCause = 'create' | 'update' | 'delete' | 'resume' | 'event' | 'field';

export interface RegisteredHandler {
  id: string;
  cause: ChangeCause;
  fn: Handler<KubeObject>;
  options: HandlerOptions<KubeObject>;
}

export interface RegisteredTimer {
  id: string;
  intervalMs: number;
  fn: Handler<KubeObject>;
  options: TimerOptions<KubeObject>;
}

export interface RegisteredDaemon {
  id: string;
  fn: Handler<KubeObject>;
  options: DaemonOptions<KubeObject>;
}

/** What the running operator tells a registration about its resource. */
export interface RuntimeView {
  kind: string;
  apiVersion: string;
  /** Reads the cache. */
  lookup: (key: ObjectKey) => KubeObject | undefined;
}

export interface Trigger {
  from: ResourceRegistration;
  map: (obj: KubeObject) => ObjectKey[];
}

/**
 * The objects filed under one index key. Most keys of a typical index file one object (a name, a target), so a
 * bucket holds its first object inline and grows a Map only for a second one: a Map per object would cost more
 * than the object's own metadata. The bucket's `key` is the one copy of the index key string that every object
 * filed under it shares.
 */
class Bucket {
  soleKey: string | undefined;
  sole: KubeObject | undefined;
  many: Map<string, KubeObject> | undefined;
  constructor(readonly key: string) {}

  get size(): number {
    return this.many ? this.many.size : this.soleKey === undefined ? 0 : 1;
  }

  set(objKey: string, obj: KubeObject): void {
    if (this.many) this.many.set(objKey, obj);
    else if (this.soleKey === undefined || this.soleKey === objKey) [this.soleKey, this.sole] = [objKey, obj];
    else {
      this.many = new Map([[this.soleKey, this.sole!]]).set(objKey, obj);
      [this.soleKey, this.sole] = [undefined, undefined];
    }
  }

  delete(objKey: string): void {
    if (this.many) this.many.delete(objKey);
    else if (this.soleKey === objKey) [this.soleKey, this.sole] = [undefined, undefined];
  }

  objects(): KubeObject[] {
    return this.many ? [...this.many.values()] : this.sole ? [this.sole] : [];
  }
}

export class IndexImpl implements Index<KubeObject> {
  readonly #byKey = new Map<string, Bucket>();
  /** Per object: the bucket it is filed in (one, the usual case), or its buckets. */
  readonly #filedIn = new Map<string, Bucket | Bucket[]>();
  constructor(
    readonly name: string,
    readonly fn: (obj: KubeObject) => string[] | undefined,
  ) {}

  /** Re-file an object after a change (or remove it); `objKey` is its cache key, `objectKeyOf(obj)` by default. */
  update(obj: KubeObject, deleted: boolean, objKey = objectKeyOf(obj)): void {
    const filed = this.#filedIn.get(objKey);
    for (const bucket of filed === undefined ? [] : Array.isArray(filed) ? filed : [filed]) {
      bucket.delete(objKey);
      if (bucket.size === 0) this.#byKey.delete(bucket.key);
    }
    this.#filedIn.delete(objKey);
    if (deleted) return;
    let keys: string[] = [];
    try {
      keys = this.fn(obj) ?? [];
    } catch {
      keys = []; // an index function failing on one odd object must not break watching
    }
    const buckets: Bucket[] = [];
    for (const k of keys) {
      let bucket = this.#byKey.get(k);
      if (!bucket) this.#byKey.set(k, (bucket = new Bucket(k)));
      if (!buckets.includes(bucket)) buckets.push(bucket);
      bucket.set(objKey, obj);
    }
    if (buckets.length) this.#filedIn.set(objKey, buckets.length === 1 ? buckets[0]! : buckets);
  }

  get(key: string): KubeObject[] {
    return this.#byKey.get(key)?.objects() ?? [];
  }

  keys(): string[] {
    return [...this.#byKey.keys()];
  }
}

/** One resource's registrations; also the ResourceHandle handed to operators. */
export class ResourceRegistration implements ResourceHandle<KubeObject> {
  readonly handlers: RegisteredHandler[] = [];
  readonly timers: RegisteredTimer[] = [];
  readonly daemons: RegisteredDaemon[] = [];
  reconciler?: { reconciler: Reconciler<KubeObject>; options: ReconcileOptions<KubeObject> };
  /** Triggers into this resource's reconciler from other resources. */
  readonly triggers: Trigger[] = [];
  /** Resources whose reconcilers this resource's changes feed (the reverse of triggers). */
  readonly feeds: { to: ResourceRegistration; map: (obj: KubeObject) => ObjectKey[] }[] = [];
  readonly indexes = new Map<string, IndexImpl>();
  /** Admission handlers (served by the operator's webhook server, not by the watch). */
  readonly admission: RegisteredAdmission[] = [];
  #frozen = false;
  #runtime: RuntimeView | undefined;

  constructor(
    readonly ref: ResourceRef,
    readonly options: ResourceOptions = {},
  ) {}

  /** The running operator's view of this resource (its controller calls this once resolved). */
  attach(view: RuntimeView): void {
    this.#runtime = view;
  }

  /** The resource's kind and apiVersion once resolved (owner references). */
  get kind(): string | undefined {
    return this.#runtime?.kind;
  }

  get apiVersion(): string | undefined {
    return this.#runtime?.apiVersion;
  }

  freeze(): void {
    this.#frozen = true;
  }

  #check(what: string): void {
    if (this.#frozen) throw new ConfigurationError(`cannot register ${what} after the operator started`);
  }

  #add(cause: ChangeCause, fn: Handler<KubeObject>, options: HandlerOptions<KubeObject> = {}): void {
    this.#check(`an on.${cause} handler`);
    const n = this.handlers.filter((h) => h.cause === cause).length;
    const id = options.id ?? (fn.name && fn.name !== 'anonymous' ? fn.name : `${cause}-${n}`);
    if (this.handlers.some((h) => h.id === id && h.cause === cause)) {
      throw new ConfigurationError(`two on.${cause} handlers share the id "${id}": give one an explicit id`);
    }
    this.handlers.push({ id, cause, fn, options });
  }

  readonly on = {
    create: (fn: Handler<KubeObject>, options?: HandlerOptions<KubeObject>) => this.#add('create', fn, options),
    update: (fn: Handler<KubeObject>, options?: HandlerOptions<KubeObject>) => this.#add('update', fn, options),
    delete: (fn: Handler<KubeObject>, options?: HandlerOptions<KubeObject>) => this.#add('delete', fn, options),
    resume: (fn: Handler<KubeObject>, options?: HandlerOptions<KubeObject>) => this.#add('resume', fn, options),
    event: (fn: Handler<KubeObject>, options?: HandlerOptions<KubeObject>) => this.#add('event', fn, options),
    field: (path: string, fn: Handler<KubeObject>, options?: HandlerOptions<KubeObject>) =>
      this.#add('field', fn, { ...options, field: path, id: options?.id ?? `${fn.name || 'field'}:${path}` }),
  };

  timer(intervalMs: number, fn: Handler<KubeObject>, options: TimerOptions<KubeObject> = {}): void {
    this.#check('a timer');
    if (!(intervalMs > 0)) throw new ConfigurationError(`timer interval must be > 0 ms, got ${intervalMs}`);
    this.timers.push({ id: options.id ?? (fn.name || `timer-${this.timers.length}`), intervalMs, fn, options });
  }

  daemon(fn: Handler<KubeObject>, options: DaemonOptions<KubeObject> = {}): void {
    this.#check('a daemon');
    this.daemons.push({ id: options.id ?? (fn.name || `daemon-${this.daemons.length}`), fn, options });
  }

  reconcile(reconciler: Reconciler<KubeObject>, options: ReconcileOptions<KubeObject> = {}): void {
    this.#check('a reconciler');
    if (this.reconciler) throw new ConfigurationError('a resource has at most one reconciler');
    this.reconciler = { reconciler, options };
  }

  watches<U extends KubeObject>(other: ResourceHandle<U>, mapper: (obj: U) => ObjectKey[]): void {
    this.#check('a watch trigger');
    const from = other as unknown as ResourceRegistration;
    const map = mapper as unknown as (obj: KubeObject) => ObjectKey[];
    this.triggers.push({ from, map });
    from.feeds.push({ to: this, map });
  }

  owns<U extends KubeObject>(other: ResourceHandle<U>): void {
    this.watches(other, (child: U) =>
      (child.metadata.ownerReferences ?? [])
        .filter((o) => o.kind === this.kind && o.apiVersion === this.apiVersion)
        .map((o) => ({ namespace: child.metadata.namespace, name: o.name })),
    );
  }

  validate(fn: ValidateHandler<KubeObject>, options: AdmissionOptions = {}): void {
    this.#addAdmission({ kind: 'validate', fn, options });
  }

  mutate(fn: MutateHandler<KubeObject>, options: AdmissionOptions = {}): void {
    this.#addAdmission({ kind: 'mutate', fn, options });
  }

  #addAdmission(entry: Omit<RegisteredAdmission, 'id'>): void {
    this.#check(`a ${entry.kind} handler`);
    const plural = this.ref.plural ?? this.ref.kind?.toLowerCase() ?? 'objects';
    const id = entry.options.id ?? `${entry.kind}-${plural}${this.admission.length ? `-${this.admission.length + 1}` : ''}`;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id) || id.length > 63)
      throw new ConfigurationError(`admission handler id "${id}" must be a DNS label (it names the webhook and its path)`);
    this.admission.push({ ...entry, id } as RegisteredAdmission);
  }

  index(name: string, fn: (obj: KubeObject) => string[] | undefined): Index<KubeObject> {
    this.#check('an index');
    if (this.indexes.has(name)) throw new ConfigurationError(`index "${name}" is registered twice`);
    const idx = new IndexImpl(name, fn);
    this.indexes.set(name, idx);
    return idx;
  }

  cached(key: ObjectKey): KubeObject | undefined {
    return this.#runtime?.lookup(key);
  }

  /** Whether anything needs this resource watched. */
  get active(): boolean {
    return (
      this.handlers.length > 0 ||
      this.timers.length > 0 ||
      this.daemons.length > 0 ||
      !!this.reconciler ||
      this.feeds.length > 0 ||
      this.indexes.size > 0
    );
  }

  handlersFor(cause: Cause): RegisteredHandler[] {
    return this.handlers.filter((h) => h.cause === cause);
  }

  /**
   * Whether objects may carry a finalizer of ours: a blocking delete handler or a cleanup needs one to be
   * sure to run, and retired finalizers must be found to be removed.
   */
  get needsFinalizer(): boolean {
    return (
      this.handlers.some((h) => h.cause === 'delete' && !h.options.optional) ||
      (!!this.reconciler?.reconciler.cleanup && this.reconciler.options.finalizer !== false) ||
      this.retiredFinalizers.length > 0
    );
  }

  /** Finalizers this resource used in earlier versions of the operator: removed from every object. */
  get retiredFinalizers(): readonly string[] {
    return this.reconciler?.options.retiredFinalizers ?? [];
  }

  /**
   * The label selector the API server can filter this resource's list and watch by: the requirements every
   * consumer's `labels` filter shares. None when something needs every object: an index, a trigger of another
   * resource's reconciler (watches/owns), or a finalizer (an object leaving a server-side selector looks
   * deleted, and the finalizer on it would be left behind).
   */
  get serverLabelSelector(): string | undefined {
    const given = this.options.labelSelector;
    if (this.indexes.size > 0 || this.feeds.length > 0 || this.needsFinalizer) return given;
    const filters = [
      ...this.handlers.map((h) => h.options.labels),
      ...this.timers.map((t) => t.options.labels),
      ...this.daemons.map((d) => d.options.labels),
      ...(this.reconciler ? [this.reconciler.options.labels] : []),
    ];
    const shared = sharedLabelSelector(filters);
    return [given, shared].filter(Boolean).join(',') || undefined;
  }

  /** Whether some timer waits for objects to be idle (`idleMs`): only then is each object's last change tracked. */
  get tracksIdle(): boolean {
    return this.timers.some((t) => t.options.idleMs !== undefined);
  }

  /** Whether change detection (and so the persisted state annotation) is needed. */
  get tracksChanges(): boolean {
    return this.handlers.some((h) => h.cause === 'create' || h.cause === 'update' || h.cause === 'field');
  }
}
