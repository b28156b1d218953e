// Shapes of Kubernetes objects and references to resources and objects.

/** A reference from a child to its owner: apiVersion, kind, name, uid, controller and blockOwnerDeletion. */
export interface OwnerReference {
  /** The owner's apiVersion (`group/version`, or `v1` for the core group). */
  apiVersion: string;
  /** The owner's kind. */
  kind: string;
  /** The owner's name; owners are in the child's namespace or cluster-scoped. */
  name: string;
  /** The owner's uid: a reference to an owner deleted and recreated under the same name does not match the new one. */
  uid: string;
  /** Whether this owner is the child's managing controller; at most one reference may say so. */
  controller?: boolean;
  /** Whether foreground deletion of the owner waits for this child to be deleted first. */
  blockOwnerDeletion?: boolean;
}

/** An object's metadata: name, namespace, uid, resourceVersion, generation, labels, annotations, owners, finalizers. */
export interface ObjectMeta {
  /** The object's name, unique within its namespace (or the cluster, for a cluster-scoped object). */
  name?: string;
  /** A prefix from which the API server makes a unique name when creating an object without one. */
  generateName?: string;
  /** The object's namespace; absent for cluster-scoped objects. */
  namespace?: string;
  /** The server-assigned id of this incarnation of the object. */
  uid?: string;
  /** The server's opaque version of the object, for optimistic concurrency and resuming watches. */
  resourceVersion?: string;
  /** Bumped by the server on each change to the object's desired state (its spec, for most resources). */
  generation?: number;
  /** When the object was created (RFC 3339). */
  creationTimestamp?: string;
  /** When deletion was requested (RFC 3339); seen while finalizers or a grace period hold the object back. */
  deletionTimestamp?: string;
  /** The grace period, in seconds, the deletion was requested with. */
  deletionGracePeriodSeconds?: number;
  /** Labels: the key/value pairs that selectors match. */
  labels?: Record<string, string>;
  /** Annotations: free-form key/value data that selectors do not match. */
  annotations?: Record<string, string>;
  /** Finalizers that must all be removed before the API server deletes the object. */
  finalizers?: string[];
  /** The objects that own this one; garbage collection deletes it once all of them are gone. */
  ownerReferences?: OwnerReference[];
  /** The server's record of which field manager set which fields, kept opaque here. */
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** Any Kubernetes object. Operators narrow it with their own types (`KubeObject<Spec, Status>`). */
export interface KubeObject<Spec = unknown, Status = unknown> {
  /** `group/version`, or `v1` for the core group. */
  apiVersion?: string;
  /** The object's kind. */
  kind?: string;
  /** Name, namespace, labels and the rest of the object's metadata. */
  metadata: ObjectMeta;
  /** The desired state. */
  spec?: Spec;
  /** The observed state, written through the `/status` subresource where the resource has one. */
  status?: Status;
  [key: string]: unknown;
}

/** Metadata of a list: its resourceVersion and the continue token of a paged list. */
export interface ListMeta {
  /** The version the list was read at: a watch started from it misses no change. */
  resourceVersion?: string;
  /** The token that fetches the next page; absent on the last page. */
  continue?: string;
}

/** A list response: its items and list metadata (resourceVersion, continue token). */
export interface KubeList<T extends KubeObject = KubeObject> {
  /** `group/version` of the list, or `v1` for the core group. */
  apiVersion?: string;
  /** The list's kind (`<Kind>List`). */
  kind?: string;
  /** The list's resourceVersion and continue token. */
  metadata: ListMeta;
  /** The objects in this page of the list. */
  items: T[];
}

/** A resource type: by group/version/plural (preferred) or group/version/kind. Core group is ''. */
export interface ResourceRef {
  /** The API group; `''` or absent for the core group. */
  group?: string;
  /** The API version within the group. */
  version: string;
  /** The lowercase plural name used in URLs (`deployments`). */
  plural?: string;
  /** The kind (`Deployment`), for a reference without a plural. */
  kind?: string;
}

/** A resource type with everything discovery knows about it. */
export interface ResolvedResource {
  /** The API group; `''` for the core group. */
  group: string;
  /** The API version within the group. */
  version: string;
  /** The lowercase plural name used in URLs. */
  plural: string;
  /** The kind. */
  kind: string;
  /** Whether objects of the resource live in namespaces (else they are cluster-scoped). */
  namespaced: boolean;
  /** Whether the resource has a `/status` subresource. */
  hasStatus: boolean;
}

/** An object by name (namespace absent for cluster-scoped objects). */
export interface ObjectKey {
  /** The namespace; absent for a cluster-scoped object. */
  namespace?: string | undefined;
  /** The object's name. */
  name: string;
}

/** The apiVersion string of a group and version: `v1` for the core group, else `group/version`. */
export function apiVersionOf(ref: { group?: string; version: string }): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** `group/version/plural`: a stable name for a resource in logs and maps. */
export function resourceId(ref: ResourceRef): string {
  return `${ref.group ?? ''}/${ref.version}/${ref.plural ?? ref.kind ?? '?'}`;
}

/**
 * `namespace/name` or `name`: a stable key for an object within one resource. Joined rather than concatenated:
 * a concatenation is a rope that keeps its own copy of `namespace/` besides the flat string it turns into once
 * hashed, and caches keep one key per object.
 */
export function objectKeyOf(obj: { metadata: ObjectMeta } | ObjectKey): string {
  const k = 'metadata' in obj ? { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' } : obj;
  return k.namespace ? [k.namespace, k.name].join('/') : k.name;
}

/** Split `apiVersion` into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * What a cache keeps of an object: its type filled in, and without `metadata.managedFields` (about a third
 * of a typical object's JSON, which nothing in an operator's handlers reads; server-side apply sends its own).
 */
export function forCache<T extends KubeObject>(obj: T, type: { apiVersion?: string | undefined; kind?: string | undefined }): T {
  // A shallow copy is enough: forCacheInPlace replaces metadata rather than editing it.
  return forCacheInPlace({ ...obj }, type);
}

/**
 * forCache for an object the caller owns (freshly parsed from a list page or a watch event): fills the type
 * in place and replaces only `metadata` (when it carries managedFields), so a 20,000-object list is not
 * copied once more on its way into the cache.
 */
export function forCacheInPlace<T extends KubeObject>(obj: T, type: { apiVersion?: string | undefined; kind?: string | undefined }): T {
  if (obj.metadata.managedFields !== undefined) {
    // A fresh metadata object rather than `delete`, which can turn the object into a slower, larger dictionary.
    const { managedFields: _dropped, ...metadata } = obj.metadata;
    obj.metadata = metadata;
  }
  if (obj.apiVersion === undefined && type.apiVersion !== undefined) obj.apiVersion = type.apiVersion;
  if (obj.kind === undefined && type.kind !== undefined) obj.kind = type.kind;
  return obj;
}
