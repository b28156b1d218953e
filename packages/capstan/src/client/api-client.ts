// ApiClient: typed CRUD, patches (merge/json/strategic/apply), status and watch on resource references.
import { ConfigurationError } from '../structs/errors.js';
import {
  apiVersionOf,
  type KubeList,
  type KubeObject,
  type ObjectKey,
  type ResolvedResource,
  type ResourceRef,
} from '../structs/objects.js';
import { Discovery } from './discovery.js';
import { loadCredentials, type KubeConfigSource } from './kubeconfig.js';
import { errorFromResponse, readBody, Transport, type RequestObserver } from './transport.js';
import type { JsonPatchOp } from '../structs/json-patch.js';
import {
  unlessNotFound,
  type CallOptions,
  type DeleteOptions,
  type KubeClient,
  type ListOptions,
  type ListPage,
  type ObjectBody,
  type PatchOptions,
  type PatchType,
  type WatchOptions,
  type WriteOptions,
} from './kube-client.js';
export type {
  CallOptions,
  DeleteOptions,
  JsonPatchOp,
  ListOptions,
  ListPage,
  PatchOptions,
  PatchType,
  WatchOptions,
  WriteOptions,
} from './kube-client.js';
import { parseWatchStream, type WatchEvent } from './watch-stream.js';

const contentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Options of `ApiClient.create`: the field manager of its writes and an observer of every request. */
export interface ApiClientOptions {
  /** Default field manager for writes (the operator's name). */
  fieldManager?: string;
  /** Called after every request (metrics). */
  observer?: RequestObserver;
}

type Body<T> = ObjectBody<T>;

export class ApiClient implements KubeClient {
  readonly #transport: Transport;
  /** The discovery cache (kind and plural, scope, /status of each resource), shared with withFieldManager's clients. */
  readonly discovery: Discovery;
  readonly fieldManager: string | undefined;

  private constructor(transport: Transport, options: ApiClientOptions, discovery?: Discovery) {
    this.#transport = transport;
    this.discovery = discovery ?? new Discovery(transport);
    this.fieldManager = options.fieldManager;
    if (options.observer) transport.observer = options.observer;
  }

  /** Connect using a kubeconfig source (see KubeConfigSource). No request is made yet. */
  static async create(source?: KubeConfigSource, options: ApiClientOptions = {}): Promise<ApiClient> {
    return new ApiClient(await Transport.create(await loadCredentials(source)), options);
  }

  /** The API server URL (for messages; never carries credentials). */
  get server(): string {
    return this.#transport.server.origin;
  }

  /** A client with another default field manager, sharing the connection and discovery cache. */
  withFieldManager(fieldManager: string): ApiClient {
    return new ApiClient(this.#transport, { fieldManager }, this.discovery);
  }

  resolve(ref: ResourceRef, signal?: AbortSignal): Promise<ResolvedResource> {
    return this.discovery.resolve(ref, signal);
  }

  async #path(ref: ResourceRef, opts: { namespace?: string | undefined; name?: string; subresource?: string }, signal?: AbortSignal) {
    const r = await this.resolve(ref, signal);
    const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    if (r.namespaced && opts.name !== undefined && !opts.namespace) {
      throw new ConfigurationError(`${r.plural} is namespaced: give a namespace for ${opts.name}`);
    }
    const ns = r.namespaced && opts.namespace ? `/namespaces/${encodeURIComponent(opts.namespace)}` : '';
    const name = opts.name !== undefined ? `/${encodeURIComponent(opts.name)}` : '';
    const sub = opts.subresource ? `/${opts.subresource}` : '';
    const target = `${apiVersionOf(r)} ${r.plural}${opts.namespace && r.namespaced ? ` ${opts.namespace}` : ''}${opts.name ? `/${opts.name}` : ''}`;
    return { path: `${base}${ns}/${r.plural}${name}${sub}`, target, resource: r };
  }

  /** GET an object by name; NotFoundError when it does not exist. */
  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, options: CallOptions = {}): Promise<T> {
    const { path, target } = await this.#path(ref, key, options.signal);
    return this.#transport.request<T>({ method: 'GET', path, signal: options.signal, verb: 'get', target });
  }

  /** Get, or undefined when the object does not exist. */
  async tryGet<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, options: CallOptions = {}): Promise<T | undefined> {
    return unlessNotFound(this.get<T>(ref, key, options));
  }

  /** All pages of a list, concatenated (see listPages to hold one page at a time). */
  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, options: ListOptions = {}): Promise<KubeList<T>> {
    const items: T[] = [];
    let last: ListPage<T> | undefined;
    for await (const page of this.listPages<T>(ref, options)) {
      for (const item of page.items) items.push(item);
      last = page;
    }
    return { ...(last?.list ?? { metadata: {} }), items };
  }

  /**
   * List page by page (`limit` items each, 500 by default), so a caller can digest a page before the next
   * one is fetched. Every page belongs to the same snapshot, whose resourceVersion each page carries; an
   * expired continue token throws GoneError like any 410 (list again from the start).
   */
  async *listPages<T extends KubeObject = KubeObject>(ref: ResourceRef, options: ListOptions = {}): AsyncGenerator<ListPage<T>> {
    const { path, target } = await this.#path(ref, { namespace: options.namespace }, options.signal);
    let cont: string | undefined;
    do {
      const list = await this.#transport.request<KubeList<T>>({
        method: 'GET',
        path,
        query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: options.limit ?? 500, continue: cont },
        signal: options.signal,
        verb: 'list',
        target,
      });
      cont = list.metadata?.continue || undefined;
      const { items, ...rest } = list;
      yield { items: items ?? [], resourceVersion: list.metadata?.resourceVersion, continue: cont, list: rest };
    } while (cont);
  }

  /** POST a new object (apiVersion/kind filled in from the reference), in `options.namespace` or else the body's namespace. */
  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: Body<T>,
    options: WriteOptions & { namespace?: string } = {},
  ): Promise<T & KubeObject> {
    const namespace = options.namespace ?? body.metadata?.namespace;
    const { path, target, resource } = await this.#path(ref, { namespace }, options.signal);
    const full = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body };
    return this.#transport.request<T & KubeObject>({
      method: 'POST',
      path,
      query: this.#writeQuery(options),
      body: full,
      signal: options.signal,
      verb: 'create',
      target,
    });
  }

  /** PUT the whole object (its metadata.resourceVersion makes it conditional). */
  async replace<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: Body<T>,
    options: WriteOptions & { subresource?: string } = {},
  ): Promise<T & KubeObject> {
    const key = { namespace: body.metadata?.namespace, name: body.metadata?.name ?? '' };
    const { path, target, resource } = await this.#path(ref, { ...key, subresource: options.subresource }, options.signal);
    const full = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body };
    return this.#transport.request<T & KubeObject>({
      method: 'PUT',
      path,
      query: this.#writeQuery(options),
      body: full,
      signal: options.signal,
      verb: 'replace',
      target,
    });
  }

  /** Patch an object: `merge` (default), `json` (ops, may include `test`), `strategic` (native kinds) or `apply` (server-side apply). */
  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey,
    patch: Record<string, unknown> | JsonPatchOp[],
    options: PatchOptions & { subresource?: string } = {},
  ): Promise<T> {
    const type = options.type ?? (Array.isArray(patch) ? 'json' : 'merge');
    const { path, target } = await this.#path(ref, { ...key, subresource: options.subresource }, options.signal);
    const fieldManager = options.fieldManager ?? this.fieldManager ?? (type === 'apply' ? 'capstan' : undefined);
    const query = { ...this.#writeQuery({ ...options, fieldManager }), force: type === 'apply' && options.force ? true : undefined };
    return this.#transport.request<T>({
      method: 'PATCH',
      path,
      query,
      body: patch,
      contentType: contentTypes[type],
      signal: options.signal,
      verb: `patch${options.subresource ? `/${options.subresource}` : ''}`,
      target,
    });
  }

  /** Patch the `/status` subresource. */
  patchStatus<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey,
    patch: Record<string, unknown> | JsonPatchOp[],
    options: PatchOptions = {},
  ): Promise<T> {
    return this.patch<T>(ref, key, patch, { ...options, subresource: 'status' });
  }

  /** Server-side apply of a plain JSON object (apiVersion/kind filled in from the reference). */
  async apply<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: Body<T>,
    options: WriteOptions & { force?: boolean; subresource?: string } = {},
  ): Promise<T & KubeObject> {
    const resource = await this.resolve(ref, options.signal);
    const full = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body };
    const key = { namespace: body.metadata?.namespace, name: body.metadata?.name ?? '' };
    return this.patch<T & KubeObject>(ref, key, full, { ...options, type: 'apply' });
  }

  /** Delete; resolves with the server's answer (the object while finalizers hold it, or a Status). */
  async delete(ref: ResourceRef, key: ObjectKey, options: DeleteOptions = {}): Promise<KubeObject | Record<string, unknown>> {
    const { path, target } = await this.#path(ref, key, options.signal);
    const body =
      options.propagationPolicy || options.gracePeriodSeconds !== undefined || options.preconditions
        ? {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            propagationPolicy: options.propagationPolicy,
            gracePeriodSeconds: options.gracePeriodSeconds,
            preconditions: options.preconditions,
          }
        : undefined;
    return this.#transport.request({ method: 'DELETE', path, body, signal: options.signal, verb: 'delete', target });
  }

  /**
   * Watch a resource: yields events until the server ends the stream (timeoutSeconds), the signal aborts
   * (then the iterator just ends) or an error occurs (thrown: 410 as GoneError).
   */
  async *watch<T extends KubeObject = KubeObject>(ref: ResourceRef, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const { path, target } = await this.#path(ref, { namespace: options.namespace }, options.signal);
    const query = {
      watch: 1,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowWatchBookmarks ?? true,
      timeoutSeconds: options.timeoutSeconds,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      sendInitialEvents: options.sendInitialEvents,
      resourceVersionMatch: options.resourceVersionMatch,
    };
    let res;
    try {
      res = await this.#transport.open({ method: 'GET', path, query, signal: options.signal, timeoutMs: 0, verb: 'watch', target });
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw errorFromResponse(status, await readBody(res), { verb: 'watch', target });
    try {
      yield* parseWatchStream<T>(res, target);
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    } finally {
      res.destroy();
    }
  }

  #writeQuery(options: WriteOptions) {
    return { fieldManager: options.fieldManager ?? this.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
  }

  /** Close idle keep-alive connections (the client stays usable). */
  close(): void {
    this.#transport.close();
  }
}
