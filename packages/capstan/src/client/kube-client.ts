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
  signal?: AbortSignal | undefined;
}

/** Options of writes: the field manager and a server-side dry run. */
export interface WriteOptions extends CallOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

/** Options of a patch: its type (merge, strategic, json) and, for apply, force. */
export interface PatchOptions extends WriteOptions {
  type?: PatchType;
  /** Server-side apply only: take over fields owned by other managers. */
  force?: boolean;
}

/** Options of a list: the namespace, label and field selectors, and a page size. */
export interface ListOptions extends CallOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Page size (500 by default). */
  limit?: number;
}

/** One page of a list (ApiClient.listPages). */
export interface ListPage<T extends KubeObject = KubeObject> {
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
  namespace?: string | undefined;
  resourceVersion?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  allowWatchBookmarks?: boolean;
  /** The server closes the stream after this many seconds. */
  timeoutSeconds?: number;
  /**
   * A streaming list (Kubernetes >= 1.32 by default): the current objects arrive as ADDED events, then a
   * BOOKMARK annotated `k8s.io/initial-events-end: "true"`, then the watch goes on. Needs bookmarks and
   * `resourceVersionMatch: 'NotOlderThan'`; older servers refuse it (400/422).
   */
  sendInitialEvents?: boolean;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

/** Options of a delete: propagation policy, grace period and preconditions (uid, resourceVersion). */
export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** A partial object to write: apiVersion and kind are filled in from the resource reference. */
export type ObjectBody<T> = Partial<T> & { metadata?: Partial<KubeObject['metadata']> };

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
  get<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, options?: CallOptions): Promise<T>;
  /** Get, or undefined when the object does not exist. */
  tryGet<T extends KubeObject = KubeObject>(ref: ResourceRef, key: ObjectKey, options?: CallOptions): Promise<T | undefined>;
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ListOptions): Promise<KubeList<T>>;
  /** A list page by page, every page from the same snapshot. */
  listPages<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ListOptions): AsyncGenerator<ListPage<T>>;
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options?: WriteOptions & { namespace?: string },
  ): Promise<T & KubeObject>;
  replace<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: ObjectBody<T>,
    options?: WriteOptions & { subresource?: string },
  ): Promise<T & KubeObject>;
  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey,
    patch: Record<string, unknown> | JsonPatchOp[],
    options?: PatchOptions & { subresource?: string },
  ): Promise<T>;
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
