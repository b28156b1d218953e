// KubeClient: the one interface every consumer of the API server codes against (ApiClient implements it).
import { NotFoundError } from '../structs/errors.js';
import type { KubeList, KubeObject, ObjectKey, ResolvedResource, ResourceRef } from '../structs/objects.js';
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
import type { WatchEvent } from './watch-stream.js';

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
