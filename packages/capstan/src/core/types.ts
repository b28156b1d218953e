// The public shapes of registration: handler options, the handler context, resource handles, settings.
import type { ApiVerb, OperatorDescription, PermissionOptions } from './description.js';
import type { KubeClient, KubeConfigSource, WatchEventType } from '../client/surface.js';
import type { BackoffOptions } from '../structs/backoff.js';
import type { DiffItem } from '../structs/diff.js';
import type { MetaFilter } from '../structs/filters.js';
import type { DeepReadonly } from '../structs/frozen.js';
import type { KubeObject, ObjectKey, ObjectMeta, ResolvedResource, ResourceRef } from '../structs/objects.js';
import type { PatchAccumulator } from '../structs/patch-accumulator.js';
import type { EventPoster, EventRecorder, LeadershipGate, OperatorHooks } from './hooks.js';
import type { Logger } from './logging.js';
import type { ProductionSettings } from './production/production-services.js';
import type { ProbeAddress } from './production/probes.js';

export type SpecOf<T> = T extends { spec?: infer S } ? S : unknown;
export type StatusOf<T> = T extends { status?: infer S } ? S : unknown;

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

export type Handler<T extends KubeObject = KubeObject, R = unknown> = (ctx: HandlerContext<T>) => R | Promise<R>;

export interface FilterOptions<T extends KubeObject = KubeObject> {
  labels?: MetaFilter;
  annotations?: MetaFilter;
  when?: (ctx: HandlerContext<T>) => boolean;
}

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

export interface TimerOptions<T extends KubeObject = KubeObject> extends FilterOptions<T> {
  id?: string;
  /** Run only when the object has not changed for this long. */
  idleMs?: number;
  /** Delay before the first run (default: the interval). */
  initialDelayMs?: number;
  timeoutMs?: number;
}

export interface DaemonOptions<T extends KubeObject = KubeObject> extends FilterOptions<T> {
  id?: string;
  /** Delay before restarting a daemon that threw (exponential). Default base 1 s. */
  backoff?: BackoffOptions;
}

export interface ReconcileResult {
  /** Run apply again after this long even without a change (0 or absent: only on changes). */
  requeueAfterMs?: number;
}

export interface Reconciler<T extends KubeObject = KubeObject> {
  apply(ctx: HandlerContext<T>): ReconcileResult | void | Promise<ReconcileResult | void>;
  cleanup?(ctx: HandlerContext<T>): void | Promise<void>;
}

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
  get(key: string): T[];
  keys(): string[];
}

/** Per-resource watch options of `operator.resource(ref, options)`: what the API server sends at all. */
export interface ResourceOptions {
  /** Namespaces of this resource (globs allowed; `!pat` excludes); default: the operator's. */
  namespaces?: string[];
  /** A server-side label selector (`app=web,tier!=db`), added to the one derived from shared `labels` filters. */
  labelSelector?: string;
  /** A server-side field selector (`metadata.name=x`, `spec.nodeName=n`): objects outside it are never seen. */
  fieldSelector?: string;
}

export interface ResourceHandle<T extends KubeObject = KubeObject> {
  readonly ref: ResourceRef;
  on: {
    create(fn: Handler<T>, options?: HandlerOptions<T>): void;
    update(fn: Handler<T>, options?: HandlerOptions<T>): void;
    delete(fn: Handler<T>, options?: HandlerOptions<T>): void;
    resume(fn: Handler<T>, options?: HandlerOptions<T>): void;
    event(fn: Handler<T>, options?: HandlerOptions<T>): void;
    field(path: string, fn: Handler<T>, options?: HandlerOptions<T>): void;
  };
  timer(intervalMs: number, fn: Handler<T>, options?: TimerOptions<T>): void;
  daemon(fn: Handler<T>, options?: DaemonOptions<T>): void;
  reconcile(reconciler: Reconciler<T>, options?: ReconcileOptions<T>): void;
  /** Re-run this resource's reconciler for the objects a change of `other` maps to. */
  watches<U extends KubeObject>(other: ResourceHandle<U>, mapper: (obj: U) => ObjectKey[]): void;
  /** Re-run this resource's reconciler when a child it owns (ownerReferences) changes. */
  owns<U extends KubeObject>(other: ResourceHandle<U>): void;
  index(name: string, fn: (obj: T) => string[] | undefined): Index<T>;
  /** The cached object (no API call), once the operator runs. */
  cached(key: ObjectKey): T | undefined;
}

/** What `onChange` learns: the object's new version, or undefined once it is deleted. */
export interface ObjectChange<T extends KubeObject = KubeObject> {
  key: ObjectKey;
  object: T | undefined;
}

export interface WatchedObjectsOptions<T extends KubeObject = KubeObject> {
  /** Called for every change of a watched object, also while the operator is not leading. Exceptions are logged. */
  onChange?: (change: ObjectChange<T>) => void;
}

/** The latest version of each watched object, read without API calls once the operator runs. */
export interface WatchedObjects<T extends KubeObject = KubeObject> {
  get(key: ObjectKey): T | undefined;
}

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
}

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
  resource<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ResourceOptions): ResourceHandle<T>;
  /**
   * Declare an API call the engine cannot see (a handler reading a Secret by name, writing a child through
   * `ctx.client`), so that `capstan generate` grants it. Watching, the engine's own writes, Events and the
   * leader Lease need no declaration.
   */
  uses(ref: ResourceRef, verbs: ApiVerb[], options: PermissionOptions): void;
  /** What the operator declares, as plain data (`capstan generate` derives RBAC from it). */
  describe(): OperatorDescription;
  /** Watch and handle until the signal aborts; resolves after a graceful stop. */
  run(options?: RunOptions): Promise<void>;
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
