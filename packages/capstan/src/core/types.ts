// The public shapes of registration: handler options, the handler context, resource handles, settings.
import type { AdmissionOptions, AdmissionSettings, MutateHandler, ValidateHandler } from './admission/types.js';
import type { ApiVerb, OperatorDescription, PermissionOptions } from './description.js';
import type { KubeClient, KubeConfigSource, WatchEventType } from '../client/surface.js';
import type { BackoffOptions } from '../structs/backoff.js';
import type { DiffItem } from '../structs/diff.js';
import type { MetaFilter } from '../structs/filters.js';
import type { DeepReadonly } from '../structs/frozen.js';
import type { KubeObject, ObjectKey, ObjectMeta, ResolvedResource, ResourceRef } from '../structs/objects.js';
import type { PatchAccumulator } from '../structs/patch-accumulator.js';
import type { CustomResource } from '../structs/schema/custom-resource.js';
import type { EventPoster, EventRecorder, LeadershipGate, OperatorHooks } from './hooks.js';
import type { Logger } from './logging.js';
import type { ProductionSettings } from './production/production-services.js';
import type { ProbeAddress } from './production/probes.js';

/** The type of an object's `spec` (unknown when it has none). */
export type SpecOf<T> = T extends { spec?: infer S } ? S : unknown;
/** The type of an object's `status` (unknown when it has none). */
export type StatusOf<T> = T extends { status?: infer S } ? S : unknown;

/** Why a handler runs: its registration kind, or `cleanup` for a reconciler's deletion step. */
export type Cause = 'create' | 'update' | 'delete' | 'resume' | 'event' | 'field' | 'timer' | 'daemon' | 'reconcile' | 'cleanup';

/** What a handler gets. Bodies are frozen snapshots: write through `patch`, never by mutating. */
export interface HandlerContext<T extends KubeObject = KubeObject> {
  cause: Cause;
  body: DeepReadonly<T>;
  spec: DeepReadonly<SpecOf<T>>;
  meta: DeepReadonly<ObjectMeta>;
  status: DeepReadonly<StatusOf<T>> | undefined;
  name: string;
  namespace: string | undefined;
  uid: string;
  /** update: the old essence (spec, labels, annotations...); field: the old field value. Undefined if unknown. */
  old: unknown;
  /** update: the new essence; field: the new field value. */
  new: unknown;
  diff: readonly DiffItem[];
  /** event handlers: the raw watch event type (the latest, when several coalesced). */
  event: { type: Exclude<WatchEventType, 'BOOKMARK' | 'ERROR'> } | undefined;
  logger: Logger;
  /** Accumulates a JSON merge patch, applied once after the handler (status to /status), skipped when empty or a no-op. */
  patch: PatchAccumulator;
  /** 0 on the first attempt. */
  retry: number;
  /** When the first attempt of this handling started: the same across retries (and restarts, for change and delete handlers). */
  startedAt: Date;
  /** Aborted on shutdown, timeout, or when the object goes away (daemons, timers). */
  signal: AbortSignal;
  client: KubeClient;
  events: EventRecorder;
  resource: ResolvedResource;
}

/**
 * A handler: gets the context of one object and may return a value (stored under its id for change handlers).
 * A thrown `TemporaryError` (or any error) is retried with backoff; a `PermanentError` is not.
 */
export type Handler<T extends KubeObject = KubeObject, R = unknown> = (ctx: HandlerContext<T>) => R | Promise<R>;

/** Which objects a handler applies to: all of the given filters must accept it. */
export interface FilterOptions<T extends KubeObject = KubeObject> {
  /** Label filters (`PRESENT`, `ABSENT`, a value, or a predicate); shared ones become a server-side selector. */
  labels?: MetaFilter;
  /** Annotation filters, as for labels (always checked in the operator). */
  annotations?: MetaFilter;
  /** Any other condition on the object, checked in the operator before the handler runs. */
  when?: (ctx: HandlerContext<T>) => boolean;
}

/** Options of `on.create`, `on.update`, `on.delete`, `on.resume`, `on.event` and `on.field` handlers. */
export interface HandlerOptions<T extends KubeObject = KubeObject> extends FilterOptions<T> {
  /** Stable id (progress and the status key of the return value). Default: the function's name or `<cause>-<n>`. */
  id?: string;
  /** Only when this field changed (update), or is set (create): a dotted path like `spec.secretName`. */
  field?: string;
  /** Retries after the first attempt before giving up (default: unlimited). */
  retries?: number;
  /** Abort the handler's signal and count a temporary failure after this long. */
  timeoutMs?: number;
  backoff?: BackoffOptions;
  /** delete handlers only: no finalizer; runs best-effort when the deletion is seen. */
  optional?: boolean;
}

/** Options of `timer(intervalMs, fn, options)`. */
export interface TimerOptions<T extends KubeObject = KubeObject> extends FilterOptions<T> {
  id?: string;
  /** Run only when the object has not changed for this long. */
  idleMs?: number;
  /** Delay before the first run (default: the interval). */
  initialDelayMs?: number;
  timeoutMs?: number;
}

/** Options of `daemon(fn, options)`: one long-running task per object, stopped when the object goes. */
export interface DaemonOptions<T extends KubeObject = KubeObject> extends FilterOptions<T> {
  id?: string;
  /** Delay before restarting a daemon that threw (exponential). Default base 1 s. */
  backoff?: BackoffOptions;
}

/** What a reconciler's `apply` may return. */
export interface ReconcileResult {
  /** Run apply again after this long even without a change (0 or absent: only on changes). */
  requeueAfterMs?: number;
}

/**
 * A level-based reconciler (controller-runtime's model): `apply` brings the world in line with the object's latest
 * state, whatever changed; `cleanup` runs once when the object is deleted.
 */
export interface Reconciler<T extends KubeObject = KubeObject> {
  /** Make the world match the object; called on every change (and `requeueAfterMs`), never concurrently per object. */
  apply(ctx: HandlerContext<T>): ReconcileResult | void | Promise<ReconcileResult | void>;
  /** Undo what `apply` did outside the cluster's garbage collection; a finalizer holds the object until it succeeds. */
  cleanup?(ctx: HandlerContext<T>): void | Promise<void>;
}

/** Options of `reconcile(reconciler, options)`. */
export interface ReconcileOptions<T extends KubeObject = KubeObject> extends FilterOptions<T> {
  /**
   * The finalizer held while `cleanup` (and any blocking delete handler of the resource) must still run.
   * Only objects such a step applies to get it: a reconciler without `cleanup` needs none (children with
   * ownerReferences are removed by garbage collection). Default: the operator's `finalizer` setting, else
   * `<operator name>.capstan.dev/finalizer`. `false`: no finalizer; `cleanup` then runs best-effort when the
   * deletion is seen, like an optional delete handler.
   */
  finalizer?: string | false;
  /**
   * Finalizers earlier versions of the operator put on this resource's objects and no longer need: removed
   * from every object (live or being deleted), so upgrading never leaves objects stuck.
   */
  retiredFinalizers?: string[];
  timeoutMs?: number;
  backoff?: BackoffOptions;
}

/** An in-memory index over a watched resource, read without API calls. */
export interface Index<T extends KubeObject = KubeObject> {
  /** The cached objects filed under `key`. */
  get(key: string): T[];
  /** Every key some cached object is filed under. */
  keys(): string[];
}

/** Per-resource watch options of `operator.resource(ref, options)`: what the API server sends, and what the cache keeps. */
export interface ResourceOptions<T extends KubeObject = KubeObject> {
  /** Namespaces of this resource (globs allowed; `!pat` excludes); default: the operator's. */
  namespaces?: string[];
  /** A server-side label selector (`app=web,tier!=db`), added to the one derived from shared `labels` filters. */
  labelSelector?: string;
  /** A server-side field selector (`metadata.name=x`, `spec.nodeName=n`): objects outside it are never seen. */
  fieldSelector?: string;
  /**
   * What the cache keeps of each object (client-go's `SetTransform`): called once per object version before it
   * enters the cache (listed, watched, or returned by the engine's own writes), after `metadata.managedFields`
   * is dropped. Return the object to keep, typically one without the fields nothing of the operator reads (a
   * large `data` kept as a digest, say): it is all that handlers, indexes, triggers and `cached()` see, and
   * what change detection compares. Keep `metadata` (name, namespace, uid, resourceVersion, ownerReferences,
   * deletionTimestamp, finalizers: the engine reads them), build what you keep rather than editing the given
   * object's nested values in place (they may be shared with a handler's round), and accept your own output
   * again. A transform that throws leaves that
   * object whole (logged as a warning with the error's message).
   */
  transform?: (obj: T) => T;
}

/** One watched resource of an operator: register its handlers, reconciler, indexes and triggers here. */
export interface ResourceHandle<T extends KubeObject = KubeObject> {
  /** The resource, as given to `operator.resource(ref)`. */
  readonly ref: ResourceRef;
  /** Change handlers, run once per change (kopf's model); their progress is kept on the object. */
  on: {
    /** The first time the operator sees the object. */
    create(fn: Handler<T>, options?: HandlerOptions<T>): void;
    /** When the object's essence (spec, labels, annotations; not status) changed since it was last handled. */
    update(fn: Handler<T>, options?: HandlerOptions<T>): void;
    /** When the object is being deleted (a finalizer holds it until the handler succeeds, unless `optional`). */
    delete(fn: Handler<T>, options?: HandlerOptions<T>): void;
    /** For every existing object when the operator starts (after a restart too). */
    resume(fn: Handler<T>, options?: HandlerOptions<T>): void;
    /** For every watch event, without progress or retries (fire and forget). */
    event(fn: Handler<T>, options?: HandlerOptions<T>): void;
    /** When the field at `path` (dotted, e.g. `spec.size`) changed; also on create when it is set. */
    field(path: string, fn: Handler<T>, options?: HandlerOptions<T>): void;
  };
  /** Run `fn` for each object every `intervalMs` (while it exists; `idleMs`: only when it has not changed). */
  timer(intervalMs: number, fn: Handler<T>, options?: TimerOptions<T>): void;
  /** Run `fn` as a long-lived task per object, aborted (ctx.signal) when the object is deleted or the operator stops. */
  daemon(fn: Handler<T>, options?: DaemonOptions<T>): void;
  /** The resource's one reconciler: called with the latest object on every change, with retries and backoff. */
  reconcile(reconciler: Reconciler<T>, options?: ReconcileOptions<T>): void;
  /** Re-run this resource's reconciler for the objects a change of `other` maps to. */
  watches<U extends KubeObject>(other: ResourceHandle<U>, mapper: (obj: U) => ObjectKey[]): void;
  /** Re-run this resource's reconciler when a child it owns (ownerReferences) changes. */
  owns<U extends KubeObject>(other: ResourceHandle<U>): void;
  /**
   * Validate requests for this resource at admission time (before they are stored): throw `AdmissionError` to
   * refuse with a message the person running kubectl sees. Served by the operator's webhook server
   * (settings `admission`); every replica serves, leader or not.
   */
  validate(fn: ValidateHandler<T>, options?: AdmissionOptions): void;
  /** Change objects of this resource as they are admitted: return the changed object (capstan makes the JSON Patch). */
  mutate(fn: MutateHandler<T>, options?: AdmissionOptions): void;
  /** An index over the cached objects by the keys `fn` returns, kept current by the watch. */
  index(name: string, fn: (obj: T) => string[] | undefined): Index<T>;
  /** The cached object (no API call), once the operator runs. */
  cached(key: ObjectKey): T | undefined;
}

/** What `onChange` learns: the object's new version, or undefined once it is deleted. */
export interface ObjectChange<T extends KubeObject = KubeObject> {
  key: ObjectKey;
  object: T | undefined;
}

/** Options of `operator.watchObjects(ref, keys, options)`. */
export interface WatchedObjectsOptions<T extends KubeObject = KubeObject> {
  /** Called for every change of a watched object, also while the operator is not leading. Exceptions are logged. */
  onChange?: (change: ObjectChange<T>) => void;
}

/** The latest version of each watched object, read without API calls once the operator runs. */
export interface WatchedObjects<T extends KubeObject = KubeObject> {
  /** The latest version of a watched object; undefined while it does not exist or before the first list. */
  get(key: ObjectKey): T | undefined;
}

/** How the operator watches: request timeouts, stall detection, backoff and the initial list's form. */
export interface WatchSettings {
  /** Server-side `timeoutSeconds` of each watch request. Default 300 (with jitter). */
  timeoutSeconds?: number;
  /** Restart a stream silent for this long (no events, no bookmarks). Default timeoutSeconds + 60 s. */
  inactivityMs?: number;
  backoff?: BackoffOptions;
  /**
   * How the initial list (and every re-list after 410 Gone) is made. 'auto' (default): a streaming list
   * (watch with sendInitialEvents) where the server supports it, else paged lists; 'stream' or 'paged' force one.
   */
  listMode?: 'auto' | 'stream' | 'paged';
}

/** Settings of `createOperator(settings)`; `run(options)` may override the production ones. */
export interface OperatorSettings extends ProductionSettings {
  /** Field manager, Event reporting component, finalizer/annotation prefix. */
  name: string;
  kubeconfig?: KubeConfigSource;
  /** An existing client (tests); otherwise one is made from `kubeconfig`. */
  client?: KubeClient;
  /** Namespaces (glob patterns allowed; `!pat` excludes). Ignored for cluster-scoped resources. */
  namespaces?: string[];
  allNamespaces?: boolean;
  logger?: Logger;
  /** Global bound on handlers running at once. Default 16. */
  concurrency?: number;
  /** Annotation holding the persisted state. Default `<name>.capstan.dev/last-handled`. */
  stateAnnotation?: string;
  /** Finalizer for delete handlers. Default `<name>.capstan.dev/finalizer`. */
  finalizer?: string;
  watch?: WatchSettings;
  hooks?: OperatorHooks;
  /** Event poster; default posts core/v1 Events; `false` disables. */
  events?: EventPoster | false;
  leadership?: LeadershipGate;
  /** How long in-flight handlers may finish on shutdown before their signal aborts. Default 10 s. */
  shutdownGraceMs?: number;
  /** Default retry backoff for handlers. */
  backoff?: BackoffOptions;
  /** The webhook server of the admission handlers (`validate`, `mutate`); without it they are not served. */
  admission?: AdmissionSettings | false;
}

/**
 * Options of `run()`. Besides the signal, an embedder (the CLI, the testing kit) may override the
 * connection and scope settings given to createOperator.
 */
/** Production settings given here (by the CLI) override those of createOperator. */
export interface RunOptions extends ProductionSettings {
  signal?: AbortSignal;
  kubeconfig?: KubeConfigSource;
  client?: KubeClient;
  namespaces?: string[];
  allNamespaces?: boolean;
  logger?: Logger;
  /** The webhook server's settings (overrides createOperator's). */
  admission?: AdmissionSettings | false;
}

/** What a running operator's admission side tells: where it serves, and a way to renew its certificate now. */
export interface AdmissionHandle {
  /** The URL the API server calls (for a `local` or `url` endpoint). */
  readonly url: string | undefined;
  /** The CA bundle in the webhook configurations. */
  readonly caBundle: string | undefined;
  /**
   * Re-read or renew the certificates now (what the timer does; `renew`: a new serving certificate from the same
   * CA, e.g. to rotate it); resolves true when a new one is served.
   */
  refresh(options?: { renew?: boolean }): Promise<boolean>;
}

/** An operator: resources and their handlers registered, then `run()` watches and handles until stopped. */
export interface Operator {
  readonly name: string;
  readonly settings: Readonly<OperatorSettings>;
  /**
   * Watch a few named objects (a configuration Secret, say) without handlers: `onChange` sees every change,
   * `get` reads the latest version. Each is listed and watched by name, so RBAC can name them (resourceNames
   * with get, list, watch). Workers wait for their first list like for every cache.
   */
  watchObjects<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    keys: ObjectKey[],
    options?: WatchedObjectsOptions<T>,
  ): WatchedObjects<T>;
  /** Register a resource to watch (once per resource; the options of the first call count). */
  resource<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ResourceOptions<T>): ResourceHandle<T>;
  /**
   * Declare an API call the engine cannot see (a handler reading a Secret by name, writing a child through
   * `ctx.client`), so that `capstan generate` grants it. Watching, the engine's own writes, Events and the
   * leader Lease need no declaration.
   */
  uses(ref: ResourceRef, verbs: ApiVerb[], options: PermissionOptions): void;
  /**
   * Serve the conversion webhook of a custom resource with several versions (`otherVersions`): objects convert
   * through its hub version; capstan writes the CRD's `spec.conversion` with the caBundle (settings `admission`).
   */
  converts(resource: Pick<CustomResource<unknown, unknown>, 'crd' | 'conversions'>): void;
  /** What the operator declares, as plain data (`capstan generate` derives RBAC from it). */
  describe(): OperatorDescription;
  /** Watch and handle until the signal aborts; resolves after a graceful stop. */
  run(options?: RunOptions): Promise<void>;
  /** The admission side while `run` runs with admission handlers and settings; undefined otherwise. */
  readonly admission?: AdmissionHandle | undefined;
  /** Resolves when every resource finished its initial list (and the operator leads). */
  readonly ready: Promise<void>;
  /** The client, once `run` started. */
  readonly client: KubeClient | undefined;
  /**
   * Where the probe server (settings `probes`) listens while `run` runs; undefined before, after, or without
   * probes. Optional so that wrappers of an Operator stay valid; createOperator's operators always have it.
   */
  readonly probeAddress?: ProbeAddress | undefined;
  /**
   * Resolves once `run` started the probe server, with its address (before watching starts, leader or not);
   * with undefined when `run` runs without probes or ends before listening. Optional like `probeAddress`.
   */
  readonly probesListening?: Promise<ProbeAddress | undefined>;
}
