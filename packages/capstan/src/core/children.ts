// Child objects: owner references (adopt), ownership checks, and create-or-update by server-side apply with plain JSON.
import type { KubeClient } from '../client/surface.js';
import { ConfigurationError } from '../structs/errors.js';
import { parseApiVersion, type KubeObject, type OwnerReference, type ResourceRef } from '../structs/objects.js';

/** How `ownerReferenceFor` and `adopt` mark the owner: as controller, blocking its deletion or not. */
export interface OwnerReferenceOptions {
  /** Mark the owner as the managing controller (at most one per object). Default true. */
  controller?: boolean;
  /** Foreground deletion of the owner waits for this child. Default true. */
  blockOwnerDeletion?: boolean;
}

/** An ownerReference pointing at `owner` (which must have apiVersion, kind, name and uid: i.e. come from the API). */
export function ownerReferenceFor(owner: KubeObject, options: OwnerReferenceOptions = {}): OwnerReference {
  const { apiVersion, kind } = owner;
  const { name, uid } = owner.metadata;
  if (!apiVersion || !kind || !name || !uid) {
    throw new ConfigurationError('an owner needs apiVersion, kind, metadata.name and metadata.uid (use the object as read from the API)');
  }
  return { apiVersion, kind, name, uid, controller: options.controller ?? true, blockOwnerDeletion: options.blockOwnerDeletion ?? true };
}

/** The controller reference of an object, if any. */
export function controllerOf(child: KubeObject): OwnerReference | undefined {
  return child.metadata.ownerReferences?.find((r) => r.controller);
}

/** Whether `owner` is among the child's owners (by uid); with `{ controller: true }` only as its controller. */
export function isOwnedBy(child: KubeObject, owner: KubeObject, options: { controller?: boolean } = {}): boolean {
  const uid = owner.metadata.uid;
  return !!uid && (child.metadata.ownerReferences ?? []).some((r) => r.uid === uid && (!options.controller || r.controller === true));
}

/**
 * A copy of `child` owned by `owner`: the owner's reference added (or refreshed), other owners kept. Garbage
 * collection then deletes the child with its owner. Refuses a second controller and cross-namespace ownership,
 * which the garbage collector would not honour.
 */
export function adopt<T extends KubeObject>(child: T, owner: KubeObject, options: OwnerReferenceOptions = {}): T {
  const ref = ownerReferenceFor(owner, options);
  const ownerNs = owner.metadata.namespace;
  const childNs = child.metadata.namespace ?? ownerNs;
  if (ownerNs && childNs !== ownerNs) {
    throw new ConfigurationError(
      `${owner.kind} ${ownerNs}/${ref.name} cannot own an object in another namespace (${childNs ?? 'cluster scope'})`,
    );
  }
  const others = (child.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  const otherController = others.find((r) => r.controller);
  if (ref.controller && otherController) {
    throw new ConfigurationError(
      `${child.kind ?? 'object'} ${child.metadata.name ?? ''} is already controlled by ${otherController.kind} ${otherController.name}`,
    );
  }
  return {
    ...child,
    metadata: { ...child.metadata, ...(childNs ? { namespace: childNs } : {}), ownerReferences: [...others, ref] },
  };
}

/** Options of `applyChild`: the field manager of the server-side apply, force, the child's resource and a signal. */
export interface ApplyChildOptions {
  /** The field manager owning the applied fields; keep it stable across releases (the operator's name). */
  fieldManager: string;
  /** Take over fields another manager owns (what a controller wants for its children). Default true. */
  force?: boolean;
  /** Resource of the child; default: from its apiVersion and kind. */
  resource?: ResourceRef;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

// Fields the server owns: sending them in an apply patch is an error (managedFields) or a precondition (resourceVersion).
const serverFields = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** The body to apply: plain JSON without server-owned metadata (so an object read from the API can be re-applied). */
export function applyBody<T extends KubeObject>(child: T): T {
  const metadata = { ...child.metadata };
  for (const key of serverFields) delete metadata[key];
  const body = JSON.parse(JSON.stringify({ ...child, metadata })) as T;
  return body;
}

/**
 * Create or update a child by server-side apply (PATCH application/apply-patch+yaml with a JSON body; GA since
 * Kubernetes 1.22). Only the fields given are owned by `fieldManager`;
 * fields it applied before and leaves out now are removed. Applying the same body again changes nothing.
 */
export async function applyChild<T extends KubeObject>(client: KubeClient, child: T, options: ApplyChildOptions): Promise<T> {
  if (!child.apiVersion || !child.kind) throw new ConfigurationError('a child to apply needs apiVersion and kind');
  if (!child.metadata.name)
    throw new ConfigurationError(`a ${child.kind} to apply needs metadata.name (server-side apply cannot generate names)`);
  const { group, version } = parseApiVersion(child.apiVersion);
  const resource = options.resource ?? { group, version, kind: child.kind };
  return client.apply<T>(resource, applyBody(child), {
    fieldManager: options.fieldManager,
    force: options.force ?? true,
    signal: options.signal,
  });
}
