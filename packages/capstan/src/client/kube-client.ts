// KubeClient: the one interface every consumer of the API server codes against (ApiClient implements it).
import { NotFoundError } from '../structs/errors.js';
import type { KubeList, KubeObject, ObjectKey, ResolvedResource, ResourceRef } from '../structs/objects.js';
import type { JsonPatchOp } from '../structs/json-patch.js';
import type { WatchEvent } from './watch-stream.js';

export type { JsonPatchOp } from '../structs/json-patch.js';

/** How a patch body is read: merge (RFC 7386), strategic merge, JSON Patch (RFC 6902) or server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** Options every client call takes: an abort signal. */
export interface CallOptions {
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/** Options of writes: the field manager and a server-side dry run. */
export interface WriteOptions extends CallOptions {
  /** The field manager recorded for the write; the client's default when absent. */
  fieldManager?: string;
  /** Have the server validate and answer the write without persisting it (`dryRun=All`). */
  dryRun?: boolean;
}

/** Options of a patch: its type (merge, strategic, json) and, for apply, force. */
export interface PatchOptions extends WriteOptions {
  /** How the body is read; `json` for an array of operations, else `merge`, when absent. */
  type?: PatchType;
  /** Server-side apply only: take over fields owned by other managers. */
  force?: boolean;
}

/** Options of a list: the namespace, label and field selectors, and a page size. */
export interface ListOptions extends CallOptions {
  /** The namespace to list in; all namespaces when absent (ignored for cluster-scoped resources). */
  namespace?: string | undefined;
  /** A label selector (`app=web,tier!=db`): only matching objects are listed. */
  labelSelector?: string | undefined;
  /** A field selector (`metadata.name=x`): only matching objects are listed. */
  fieldSelector?: string | undefined;
  /** Page size (500 by default). */
  limit?: number;
}

/** One page of a list (ApiClient.listPages). */
export interface ListPage<T extends KubeObject = KubeObject> {
  /** The objects of this page. */
  items: T[];
  /** The snapshot's version (the same on every page of one list). */
  resourceVersion: string | undefined;
  /** Set when more pages follow. */
  continue: string | undefined;
  /** The page's envelope without its items (apiVersion, kind, metadata). */
  list: Omit<KubeList<T>, 'items'>;
}

/** Options of a watch: namespace, selectors, the resourceVersion to start from, bookmarks, timeout and initial events. */
export interface WatchOptions extends CallOptions {
  /** The namespace to watch; all namespaces when absent (ignored for cluster-scoped resources). */
  namespace?: string | undefined;
  /** Where to start: events after this version (a list's, or the last event's); without it the server sends the current objects first. */
  resourceVersion?: string | undefined;
  /** A label selector: only events of matching objects arrive. */
  labelSelector?: string | undefined;
  /** A field selector: only events of matching objects arrive. */
  fieldSelector?: string | undefined;
  /** Ask for BOOKMARK events, which carry a newer resourceVersion to resume from (ApiClient asks unless told false). */
  allowWatchBookmarks?: boolean;
  /** The server closes the stream after this many seconds. */
  timeoutSeconds?: number;
  /**
   * A streaming list (Kubernetes >= 1.32 by default): the current objects arrive as ADDED events, then a
   * BOOKMARK annotated `k8s.io/initial-events-end: "true"`, then the watch goes on. Needs bookmarks and
   * `resourceVersionMatch: 'NotOlderThan'`; older servers refuse it (400/422).
   */
  sendInitialEvents?: boolean;
  /** How `resourceVersion` is read: the state at least that new (`NotOlderThan`), or exactly it. */
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

/** Options of a delete: propagation policy, grace period and preconditions (uid, resourceVersion). */
export interface DeleteOptions extends CallOptions {
  /** What happens to dependents: deleted before the object (`Foreground`), after it (`Background`), or kept (`Orphan`). */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Seconds the object gets to terminate (pods); 0 deletes at once. */
  gracePeriodSeconds?: number;
  /** Delete only if the object still has this uid and resourceVersion (409 Conflict otherwise). */
  preconditions?: {
    /** The uid the object must have: not a new object under the same name. */
    uid?: string;
    /** The resourceVersion the object must have: unchanged since it was read. */
    resourceVersion?: string;
  };
}

/** A partial object to write: apiVersion and kind are filled in from the resource reference. */
export type ObjectBody<T> = Partial<T> & {
  /** The object's metadata; any field may be left out. */
  metadata?: Partial<KubeObject['metadata']>;
};

/**
 * What the engine, handlers and operators need from the API server. ApiClient speaks HTTP; tests may give
 * the in-memory client of `capstan/testing` (or any other implementation) wherever a KubeClient is taken.
 */
export interface KubeClient {
  /** Default field manager of writes. */
  readonly fieldManager: string | undefined;
  /** The API server's URL, for messages (never carries credentials). */
  readonly server: string;
  /** The same connection with another default field manager. */
  withFieldManager(fieldManager: string): KubeClient;
  /** Kind, scope, version and subresources of a resource (discovery, cached). */
  resolve(ref: ResourceRef, signal?: AbortSignal): Promise<ResolvedResource>;
  /** An object by name; NotFoundError when it does not exist. */
  get<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, options?: CallOptions): Promise<T>;
  /** Get, or undefined when the object does not exist. */
  tryGet<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, options?: CallOptions): Promise<T | undefined>;
  /** All objects of a resource (every page, concatenated). */
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ListOptions): Promise<KubeList<T>>;
  /** A list page by page, every page from the same snapshot. */
  listPages<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ListOptions): AsyncGenerator<ListPage<T>>;
  /** Create an object, in `options.namespace` or else the body's namespace; resolves with the object as stored. */
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options?: WriteOptions & { namespace?: string },
  ): Promise<T & KubeObject>;
  /** Replace the whole object (or a subresource), named by the body; its metadata.resourceVersion makes it conditional. */
  replace<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options?: WriteOptions & { subresource?: string },
  ): Promise<T & KubeObject>;
  /** Patch an object (or a subresource): a merge patch, or JSON Patch ops for an array, unless `options.type` says otherwise. */
  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey,
    patch: Record<string, unknown> | JsonPatchOp[],
    options?: PatchOptions & { subresource?: string },
  ): Promise<T>;
  /** Patch the `/status` subresource. */
  patchStatus<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey,
    patch: Record<string, unknown> | JsonPatchOp[],
    options?: PatchOptions,
  ): Promise<T>;
  /** Server-side apply. */
  apply<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options?: WriteOptions & { force?: boolean; subresource?: string },
  ): Promise<T & KubeObject>;
  /** Delete; resolves with the server's answer (the object while finalizers hold it, or a Status). */
  delete(ref: ResourceRef, key: ObjectKey, options?: DeleteOptions): Promise<KubeObject | Record<string, unknown>>;
  /** Events until the server ends the stream or the signal aborts; 410 throws GoneError. */
  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: WatchOptions): AsyncGenerator<WatchEvent<T>>;
  /** Release idle connections (the client stays usable). */
  close(): void;
}

/** A read's result, or undefined when the object does not exist (every KubeClient's tryGet). */
export async function unlessNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
