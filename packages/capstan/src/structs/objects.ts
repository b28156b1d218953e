// Shapes of Kubernetes objects and references to resources and objects.

/** A reference from a child to its owner: apiVersion, kind, name, uid, controller and blockOwnerDeletion. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** An object's metadata: name, namespace, uid, resourceVersion, generation, labels, annotations, owners, finalizers. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** Any Kubernetes object. Operators narrow it with their own types (`KubeObject<Spec, Status>`). */
export interface KubeObject<Spec = unknown, Status = unknown> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  [key: string]: unknown;
}

/** Metadata of a list: its resourceVersion and the continue token of a paged list. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
}

/** A list response: its items and list metadata (resourceVersion, continue token). */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** A resource type: by group/version/plural (preferred) or group/version/kind. Core group is ''. */
export interface ResourceRef {
  group?: string;
  version: string;
  plural?: string;
  kind?: string;
}

/** A resource type with everything discovery knows about it. */
export interface ResolvedResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Whether the resource has a `/status` subresource. */
  hasStatus: boolean;
}

/** An object by name (namespace absent for cluster-scoped objects). */
export interface ObjectKey {
  namespace?: string | undefined;
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

/** `namespace/name` or `name`: a stable key for an object within one resource. */
export function objectKeyOf(obj: { metadata: ObjectMeta } | ObjectKey): string {
  const k = 'metadata' in obj ? { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' } : obj;
  return k.namespace ? `${k.namespace}/${k.name}` : k.name;
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
