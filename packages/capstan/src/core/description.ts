// What an operator declares, as plain data: the input of `capstan generate` (RBAC, Deployment) and of reviews.
import { ConfigurationError } from '../structs/errors.js';
import type { ObjectKey, ResourceRef } from '../structs/objects.js';
import type { ResourceRegistration } from './engine/registry.js';

/** The Kubernetes API verbs RBAC knows for resources. */
export type ApiVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const API_VERBS: readonly ApiVerb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * A call the engine cannot see, declared so that generated RBAC grants it: a handler that reads a Secret by
 * name, writes a child through `ctx.client`, patches another object's status.
 */
export interface PermissionDeclaration {
  resource: ResourceRef;
  /** A subresource (`status`, `scale`, ...): the rule is for `<plural>/<subresource>`. */
  subresource?: string;
  verbs: ApiVerb[];
  /** Only these objects (RBAC resourceNames). Not possible for create, list or watch without a field selector. */
  names?: string[];
  /** Only in this namespace (a Role there); default: where the operator works. */
  namespace?: string;
  /** The resource is cluster-scoped (Namespaces, Nodes, ...): a ClusterRole even for a namespaced operator. */
  clusterScoped?: boolean;
  /** Why the operator needs it: written next to the rule. */
  why: string;
}

/** Options of `operator.uses(ref, verbs, options)`: see PermissionDeclaration. */
export interface PermissionOptions {
  subresource?: string;
  names?: string[];
  namespace?: string;
  clusterScoped?: boolean;
  why: string;
}

/** One resource the engine watches and writes for its handlers. */
export interface WatchedResourceDescription {
  resource: ResourceRef;
  /** Namespaces given on the resource itself (they win over the operator's). */
  namespaces?: string[];
  /** Handler kinds registered (`on.create`, `reconcile`, `timer`, ...), for the comments. */
  handlers: string[];
  /** The engine patches the object itself: its state annotation (change handlers) or finalizers. */
  patchesObject: boolean;
  /** Why `patchesObject`, for the comment. */
  patchReasons: string[];
  /** Resources whose reconcilers this one's changes feed (watches/owns). */
  feeds: string[];
}

/** Objects the operator watches by name (`watchObjects`). */
export interface WatchedObjectsDescription {
  resource: ResourceRef;
  keys: ObjectKey[];
}

/** Everything an operator declares, before it runs. */
export interface OperatorDescription {
  name: string;
  /** Namespaces the operator works in; empty: all namespaces. */
  namespaces: string[];
  resources: WatchedResourceDescription[];
  watchedObjects: WatchedObjectsDescription[];
  declarations: PermissionDeclaration[];
  /** The operator posts Events (unless settings `events: false`). */
  events: boolean;
  /** Admission handlers (`validate`, `mutate`): the install adds their Service, and RBAC for their configurations. */
  admission: { kind: 'validate' | 'mutate'; id: string; resource: ResourceRef }[];
  /** CRDs whose conversion webhook the operator serves (`converts()`): it writes their spec.conversion. */
  conversions: string[];
}

/** The `<group>/<plural>` of a ref, for messages. */
export function refLabel(ref: ResourceRef): string {
  return `${ref.group ? `${ref.group}/` : ''}${ref.plural ?? ref.kind ?? '?'}`;
}

/** A registration's part of the description (pure: reads what was registered). */
export function describeRegistration(reg: ResourceRegistration): WatchedResourceDescription {
  const handlers = [
    ...new Set([
      ...reg.handlers.map((h) => `on.${h.cause}`),
      ...(reg.timers.length ? ['timer'] : []),
      ...(reg.daemons.length ? ['daemon'] : []),
      ...(reg.reconciler ? ['reconcile'] : []),
      ...(reg.indexes.size ? ['index'] : []),
    ]),
  ];
  const patchReasons: string[] = [];
  if (reg.tracksChanges || reg.handlers.some((h) => h.cause === 'delete' || h.cause === 'resume'))
    patchReasons.push('handler progress in the state annotation');
  if (reg.needsFinalizer) {
    patchReasons.push(
      reg.retiredFinalizers.length && !reg.handlers.some((h) => h.cause === 'delete') && !reg.reconciler?.reconciler.cleanup
        ? `removing the retired finalizer ${reg.retiredFinalizers.join(', ')}`
        : 'its finalizer',
    );
  }
  return {
    resource: reg.ref,
    ...(reg.options.namespaces?.length ? { namespaces: [...reg.options.namespaces] } : {}),
    handlers,
    patchesObject: patchReasons.length > 0,
    patchReasons,
    feeds: [...new Set(reg.feeds.map((f) => refLabel(f.to.ref)))],
  };
}

/** Checks a declaration when it is made, so a mistake shows at start-up, not as a Forbidden at 3 a.m. */
export function checkDeclaration(d: PermissionDeclaration): PermissionDeclaration {
  const what = `uses(${refLabel(d.resource)})`;
  if (!d.resource.plural) throw new ConfigurationError(`${what}: RBAC needs the resource's plural (give ref.plural)`);
  if (!d.verbs.length) throw new ConfigurationError(`${what}: no verbs`);
  for (const v of d.verbs) if (!API_VERBS.includes(v)) throw new ConfigurationError(`${what}: unknown verb "${v}"`);
  if (!d.why?.trim()) throw new ConfigurationError(`${what}: say why (options.why): it is written next to the generated rule`);
  if (d.names?.length && d.verbs.some((v) => v === 'create' || v === 'deletecollection'))
    throw new ConfigurationError(`${what}: create and deletecollection cannot be limited to names (RBAC ignores resourceNames there)`);
  return d;
}
