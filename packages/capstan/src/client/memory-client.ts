// MemoryClient: an in-memory KubeClient for fast unit tests of the engine and of reconcilers (no API server).
import { apiErrorFrom } from '../structs/errors.js';
import {
  apiVersionOf,
  objectKeyOf,
  resourceId,
  type KubeList,
  type KubeObject,
  type ObjectKey,
  type ResolvedResource,
  type ResourceRef,
} from '../structs/objects.js';
import { applyMergePatch } from '../structs/patch-accumulator.js';
import { applyJsonPatch } from '../structs/json-patch.js';
import { fieldMatcher, selectorMatcher } from './selectors.js';
import type {
  CallOptions,
  DeleteOptions,
  JsonPatchOp,
  ListOptions,
  ListPage,
  PatchOptions,
  WatchOptions,
  WriteOptions,
} from './api-client.js';
import { unlessNotFound, type KubeClient, type ObjectBody } from './kube-client.js';
import type { WatchEvent } from './watch-stream.js';

/** One request the memory client served (tests assert on writes, like the API server's audit log). */
export interface MemoryRequest {
  /** What was asked; server-side apply is logged as a `patch` (or a `create` when the object did not exist). */
  verb: 'get' | 'list' | 'watch' | 'create' | 'replace' | 'patch' | 'delete';
  /** The resource as `group/version/plural`. */
  resource: string;
  /** The namespace of the object, or of a list or watch; absent for cluster-scoped objects and all-namespace reads. */
  namespace?: string | undefined;
  /** The object's name; absent for list and watch. */
  name?: string | undefined;
  /** The subresource written (`status`), if any. */
  subresource?: string | undefined;
  /** The patch's type (`merge`, `json`, `apply`...), for a patch. */
  patchType?: string | undefined;
  /** The field manager of a write: the call's, else the client's default. */
  fieldManager?: string | undefined;
}

/** Options of `MemoryClient`: the resources it serves and its field manager. */
export interface MemoryClientOptions {
  /** The resources it serves. Core ConfigMaps, Secrets, Pods and Events are always known. */
  resources?: ResolvedResource[];
  /** Default field manager of writes, recorded in each MemoryRequest. */
  fieldManager?: string;
}

const builtIn: ResolvedResource[] = [
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, hasStatus: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, hasStatus: true },
];

const clone = <T>(v: T): T => structuredClone(v);

/** Shared state of a MemoryClient and the clients derived from it (withFieldManager). */
class MemoryServer {
  readonly resources = new Map<string, ResolvedResource>();
  readonly objects = new Map<string, Map<string, KubeObject>>();
  readonly requests: MemoryRequest[] = [];
  readonly watchers = new Set<{ resource: string; namespace?: string | undefined; push: (e: WatchEvent, previous?: KubeObject) => void }>();
  version = 1;
  uid = 0;
}

/**
 * Serves get/list/watch/create/replace/patch (merge, json with `test`, apply as a merge)/delete from memory
 * with resourceVersions, generations, finalizers and /status semantics. Not a validating API server:
 * no schemas, no admission, no garbage collection; label selectors of the `k=v,k!=v,k,!k` forms and field
 * selectors on metadata.name and metadata.namespace only.
 */
export class MemoryClient implements KubeClient {
  readonly #server: MemoryServer;
  readonly fieldManager: string | undefined;
  readonly server = 'memory://';

  constructor(options: MemoryClientOptions = {}, server?: MemoryServer) {
    this.#server = server ?? new MemoryServer();
    this.fieldManager = options.fieldManager;
    for (const r of [...builtIn, ...(options.resources ?? [])]) this.#server.resources.set(resourceId(r), r);
  }

  /** Every request served so far, oldest first. */
  get requests(): readonly MemoryRequest[] {
    return this.#server.requests;
  }

  /** The writes served so far (create, replace, patch, delete). */
  writes(filter: Partial<MemoryRequest> = {}): MemoryRequest[] {
    return this.#server.requests.filter(
      (r) => !['get', 'list', 'watch'].includes(r.verb) && Object.entries(filter).every(([k, v]) => r[k as keyof MemoryRequest] === v),
    );
  }

  withFieldManager(fieldManager: string): MemoryClient {
    return new MemoryClient({ fieldManager }, this.#server);
  }

  async resolve(ref: ResourceRef): Promise<ResolvedResource> {
    const found =
      this.#server.resources.get(resourceId(ref)) ??
      [...this.#server.resources.values()].find(
        (r) => (r.group ?? '') === (ref.group ?? '') && r.version === ref.version && (r.plural === ref.plural || r.kind === ref.kind),
      );
    if (!found)
      throw apiErrorFrom({
        status: 404,
        verb: 'resolve',
        target: resourceId(ref),
        message: 'the server could not find the requested resource',
      });
    return found;
  }

  #bucket(r: ResolvedResource): Map<string, KubeObject> {
    const id = resourceId(r);
    let bucket = this.#server.objects.get(id);
    if (!bucket) this.#server.objects.set(id, (bucket = new Map()));
    return bucket;
  }

  #log(request: MemoryRequest): void {
    this.#server.requests.push(request);
  }

  #notify(r: ResolvedResource, type: WatchEvent['type'], obj: KubeObject, previous?: KubeObject): void {
    for (const w of this.#server.watchers) {
      if (w.resource === resourceId(r) && (!w.namespace || w.namespace === obj.metadata.namespace))
        w.push({ type, object: clone(obj) }, previous);
    }
  }

  #notFound(r: ResolvedResource, key: ObjectKey, verb: string): never {
    throw apiErrorFrom({
      status: 404,
      reason: 'NotFound',
      verb,
      target: `${apiVersionOf(r)} ${r.plural} ${objectKeyOf(key)}`,
      message: `${r.plural} "${key.name}" not found`,
    });
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, _options?: CallOptions): Promise<T> {
    const r = await this.resolve(ref);
    this.#log({ verb: 'get', resource: resourceId(r), namespace: key.namespace, name: key.name });
    const obj = this.#bucket(r).get(objectKeyOf(key));
    if (!obj) this.#notFound(r, key, 'get');
    return clone(obj) as T;
  }

  async tryGet<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, options?: CallOptions): Promise<T | undefined> {
    return unlessNotFound(this.get<T>(ref, key, options));
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, options: ListOptions = {}): Promise<KubeList<T>> {
    const r = await this.resolve(ref);
    this.#log({ verb: 'list', resource: resourceId(r), namespace: options.namespace });
    const match = selectorMatcher(options.labelSelector);
    const fields = fieldMatcher(options.fieldSelector);
    const items = [...this.#bucket(r).values()]
      .filter((o) => (!options.namespace || o.metadata.namespace === options.namespace) && match(o.metadata.labels) && fields(o))
      .map((o) => clone(o) as T);
    return { apiVersion: apiVersionOf(r), kind: `${r.kind}List`, metadata: { resourceVersion: String(this.#server.version) }, items };
  }

  async *listPages<T extends KubeObject = KubeObject>(ref: ResourceRef, options: ListOptions = {}): AsyncGenerator<ListPage<T>> {
    const { items, ...list } = await this.list<T>(ref, options);
    yield { items, resourceVersion: list.metadata?.resourceVersion, continue: undefined, list };
  }

  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options: WriteOptions & { namespace?: string } = {},
  ): Promise<T & KubeObject> {
    const r = await this.resolve(ref);
    const namespace = r.namespaced ? (options.namespace ?? body.metadata?.namespace) : undefined;
    const name = body.metadata?.name ?? '';
    this.#log({ verb: 'create', resource: resourceId(r), namespace, name, fieldManager: options.fieldManager ?? this.fieldManager });
    const key = objectKeyOf({ namespace, name });
    if (this.#bucket(r).has(key)) {
      throw apiErrorFrom({
        status: 409,
        reason: 'AlreadyExists',
        verb: 'create',
        target: `${r.plural} ${key}`,
        message: `${r.plural} "${name}" already exists`,
      });
    }
    const obj = {
      ...clone(body),
      apiVersion: apiVersionOf(r),
      kind: r.kind,
      metadata: {
        ...clone(body.metadata ?? {}),
        name,
        ...(namespace ? { namespace } : {}),
        uid: `uid-${++this.#server.uid}`,
        resourceVersion: String(++this.#server.version),
        generation: 1,
        creationTimestamp: new Date().toISOString(),
      },
    } as unknown as KubeObject;
    if (r.hasStatus) delete obj.status;
    this.#bucket(r).set(key, obj);
    this.#notify(r, 'ADDED', obj);
    return clone(obj) as T & KubeObject;
  }

  async replace<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options: WriteOptions & { subresource?: string } = {},
  ): Promise<T & KubeObject> {
    const r = await this.resolve(ref);
    const key = { namespace: body.metadata?.namespace, name: body.metadata?.name ?? '' };
    this.#log({
      verb: 'replace',
      resource: resourceId(r),
      ...key,
      subresource: options.subresource,
      fieldManager: options.fieldManager ?? this.fieldManager,
    });
    const current = this.#bucket(r).get(objectKeyOf(key));
    if (!current) this.#notFound(r, key, 'replace');
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw apiErrorFrom({
        status: 409,
        reason: 'Conflict',
        verb: 'replace',
        target: `${r.plural} ${objectKeyOf(key)}`,
        message: 'the object has been modified',
      });
    }
    return this.#store(
      r,
      current,
      { ...clone(body), apiVersion: apiVersionOf(r), kind: r.kind } as unknown as KubeObject,
      options.subresource,
    ) as T & KubeObject;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey,
    patch: Record<string, unknown> | JsonPatchOp[],
    options: PatchOptions & { subresource?: string } = {},
  ): Promise<T> {
    const r = await this.resolve(ref);
    const type = options.type ?? (Array.isArray(patch) ? 'json' : 'merge');
    this.#log({
      verb: 'patch',
      resource: resourceId(r),
      namespace: key.namespace,
      name: key.name,
      subresource: options.subresource,
      patchType: type,
      fieldManager: options.fieldManager ?? this.fieldManager,
    });
    const current = this.#bucket(r).get(objectKeyOf(key));
    if (!current) this.#notFound(r, key, 'patch');
    let next: KubeObject;
    if (type === 'json') {
      const result = applyJsonPatch(clone(current), patch as JsonPatchOp[]);
      if (!result.ok)
        throw apiErrorFrom({
          status: 422,
          reason: 'Invalid',
          verb: 'patch',
          target: `${r.plural} ${objectKeyOf(key)}`,
          message: result.message,
        });
      next = result.value as KubeObject;
    } else {
      next = applyMergePatch(clone(current), patch);
    }
    return this.#store(r, current, next, options.subresource) as T;
  }

  patchStatus<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey,
    patch: Record<string, unknown> | JsonPatchOp[],
    options: PatchOptions = {},
  ): Promise<T> {
    return this.patch<T>(ref, key, patch, { ...options, subresource: 'status' });
  }

  async apply<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options: WriteOptions & { force?: boolean; subresource?: string } = {},
  ): Promise<T & KubeObject> {
    const key = { namespace: body.metadata?.namespace, name: body.metadata?.name ?? '' };
    const exists = await this.tryGet(ref, key);
    if (!exists) return this.create<T>(ref, body, options);
    return this.patch<T & KubeObject>(ref, key, body as Record<string, unknown>, { ...options, type: 'apply' });
  }

  async delete(ref: ResourceRef, key: ObjectKey, _options: DeleteOptions = {}): Promise<KubeObject | Record<string, unknown>> {
    const r = await this.resolve(ref);
    this.#log({ verb: 'delete', resource: resourceId(r), namespace: key.namespace, name: key.name });
    const current = this.#bucket(r).get(objectKeyOf(key));
    if (!current) this.#notFound(r, key, 'delete');
    if (current.metadata.finalizers?.length) {
      if (current.metadata.deletionTimestamp) return clone(current);
      const next = { ...clone(current), metadata: { ...clone(current.metadata), deletionTimestamp: new Date().toISOString() } };
      return this.#store(r, current, next, undefined, true);
    }
    this.#bucket(r).delete(objectKeyOf(key));
    const gone = { ...clone(current), metadata: { ...clone(current.metadata), resourceVersion: String(++this.#server.version) } };
    this.#notify(r, 'DELETED', gone);
    return { kind: 'Status', apiVersion: 'v1', status: 'Success' };
  }

  /**
   * Store a new version: /status writes change only status, other writes never change status (when the
   * resource has /status); the generation moves with spec changes; an object being deleted leaves once its
   * last finalizer is removed.
   */
  #store(r: ResolvedResource, current: KubeObject, proposed: KubeObject, subresource: string | undefined, deleting = false): KubeObject {
    let next: KubeObject;
    if (subresource === 'status') next = { ...clone(current), status: proposed.status };
    else {
      next = {
        ...proposed,
        metadata: { ...proposed.metadata, uid: current.metadata.uid, name: current.metadata.name, namespace: current.metadata.namespace },
      };
      if (r.hasStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      if (!deleting) next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      if (next.metadata.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
      if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    if (JSON.stringify(next) === JSON.stringify(current)) return clone(current);
    next.metadata.resourceVersion = String(++this.#server.version);
    const key = objectKeyOf(current);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      this.#bucket(r).delete(key);
      this.#notify(r, 'DELETED', next);
      return clone(next);
    }
    this.#bucket(r).set(key, next);
    this.#notify(r, 'MODIFIED', next, current);
    return clone(next);
  }

  async *watch<T extends KubeObject = KubeObject>(ref: ResourceRef, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const r = await this.resolve(ref);
    this.#log({ verb: 'watch', resource: resourceId(r), namespace: options.namespace });
    const queue: WatchEvent[] = [];
    let wake: (() => void) | undefined;
    const match = selectorMatcher(options.labelSelector);
    const fields = fieldMatcher(options.fieldSelector);
    const watcher = {
      resource: resourceId(r),
      namespace: options.namespace,
      // As the API server's watch cache: an object entering the selectors is ADDED, one leaving them DELETED.
      push: (e: WatchEvent, previous?: KubeObject) => {
        const now = match(e.object.metadata.labels) && fields(e.object);
        const before = previous !== undefined && match(previous.metadata.labels) && fields(previous);
        if (e.type === 'MODIFIED' && previous !== undefined && now !== before)
          queue.push({ type: now ? 'ADDED' : 'DELETED', object: e.object });
        else if (now) queue.push(e);
        else return;
        wake?.();
      },
    };
    if (options.sendInitialEvents) {
      const { items, metadata } = await this.list(r, {
        namespace: options.namespace,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      });
      for (const o of items) queue.push({ type: 'ADDED', object: o });
      queue.push({
        type: 'BOOKMARK',
        object: {
          metadata: { resourceVersion: metadata?.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
        } as KubeObject,
      });
    }
    this.#server.watchers.add(watcher);
    const signal = options.signal;
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    try {
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next) {
          yield next as WatchEvent<T>;
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = undefined;
      }
    } finally {
      this.#server.watchers.delete(watcher);
    }
  }

  close(): void {}
}
