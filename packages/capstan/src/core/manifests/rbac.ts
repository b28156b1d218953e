// RBAC derived from what an operator declares: each rule carries why it exists; nothing is granted "just in case".
import { ConfigurationError } from '../../structs/errors.js';
import type { CustomResourceDefinition } from '../../structs/schema/custom-resource.js';
import type { ResourceRef } from '../../structs/objects.js';
import { API_VERBS, refLabel, type ApiVerb, type OperatorDescription } from '../description.js';

/** An RBAC PolicyRule (resource rules only). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: ApiVerb[];
}

/** A rule and the reasons it exists (written as a comment above it). */
export interface ExplainedRule {
  rule: PolicyRule;
  why: string[];
  /** Verbs needed only on a path a healthy run may not take, and that path: coverage reports them apart. */
  conditional?: Partial<Record<ApiVerb, string>>;
}

/** Where a set of rules applies: the whole cluster (ClusterRole) or one namespace (Role). */
export type RuleScope = { cluster: true } | { namespace: string };

/** The derived rules: the ClusterRole's and each namespace's Role. */
export interface DerivedRbac {
  /** Rules of the ClusterRole; empty when the operator needs none. */
  cluster: ExplainedRule[];
  /** Rules of the Role in each namespace, namespaces sorted. */
  namespaced: { namespace: string; rules: ExplainedRule[] }[];
}

/** What `deriveRbac` derives from. */
export interface RbacInput {
  description: OperatorDescription;
  /** The CRDs the operator's module defines: their scope and status subresource. */
  crds?: readonly CustomResourceDefinition[];
  /** The leader-election Lease, or false when the operator runs without leader election. */
  leaderElection: { namespace: string; leaseName: string } | false;
  /** The webhook server's needs, when the operator has admission handlers: its configurations and certificate Secret. */
  webhooks?: { namespace: string; configurationName: string; certSecret?: string };
  /** Extra rules, scoped as given. */
  extra?: { scope: RuleScope; rule: PolicyRule; why: string }[];
}

/** Built-in resources that are cluster-scoped: rules for them go to the ClusterRole even for a namespaced operator. */
const CLUSTER_SCOPED = new Set([
  '/namespaces',
  '/nodes',
  '/persistentvolumes',
  'apiextensions.k8s.io/customresourcedefinitions',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
  'storage.k8s.io/storageclasses',
  'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations',
  'scheduling.k8s.io/priorityclasses',
]);

const byVerbOrder = (a: ApiVerb, b: ApiVerb) => API_VERBS.indexOf(a) - API_VERBS.indexOf(b);
const hasGlob = (ns: string) => /[*?[]/.test(ns);

function pluralOf(ref: ResourceRef, what: string): string {
  if (!ref.plural)
    throw new ConfigurationError(`${what} ${refLabel(ref)}: RBAC needs the resource's plural (give ref.plural, not only kind)`);
  return ref.plural;
}

/** Collects rules per scope, merging rules for the same resource (and names) into one with the union of verbs. */
class RuleBook {
  readonly #rules = new Map<string, Map<string, ExplainedRule>>();
  /** Per rule, the verbs some part needs on every path: never conditional, whatever another part says. */
  readonly #always = new Map<ExplainedRule, Set<ApiVerb>>();

  add(scope: RuleScope, rule: PolicyRule, why: string, conditional: Partial<Record<ApiVerb, string>> = {}): void {
    const scopeKey = 'cluster' in scope ? '' : scope.namespace;
    let rules = this.#rules.get(scopeKey);
    if (!rules) this.#rules.set(scopeKey, (rules = new Map()));
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames ?? []]);
    let entry = rules.get(key);
    if (!entry) rules.set(key, (entry = { rule: { ...rule, verbs: [] }, why: [] }));
    entry.rule.verbs = [...new Set([...entry.rule.verbs, ...rule.verbs])].sort(byVerbOrder);
    if (!entry.why.includes(why)) entry.why.push(why);
    const always = this.#always.get(entry) ?? new Set<ApiVerb>();
    this.#always.set(entry, always);
    for (const verb of rule.verbs) if (!conditional[verb]) always.add(verb);
    const merged = Object.entries({ ...entry.conditional, ...conditional }).filter(([verb]) => !always.has(verb as ApiVerb));
    if (merged.length) entry.conditional = Object.fromEntries(merged);
    else delete entry.conditional;
  }

  result(): DerivedRbac {
    const sorted = (m: Map<string, ExplainedRule> | undefined) =>
      [...(m?.values() ?? [])].sort((a, b) => ruleSortKey(a.rule).localeCompare(ruleSortKey(b.rule)));
    return {
      cluster: sorted(this.#rules.get('')),
      namespaced: [...this.#rules.keys()]
        .filter((k) => k !== '')
        .sort()
        .map((namespace) => ({ namespace, rules: sorted(this.#rules.get(namespace)) })),
    };
  }
}

function ruleSortKey(rule: PolicyRule): string {
  return `${rule.apiGroups[0] ?? ''}/${rule.resources[0] ?? ''}/${(rule.resourceNames ?? []).join(',')}`;
}

/**
 * The least RBAC for an operator: list and watch for every watched resource, patch where the engine writes
 * the object (state annotation, finalizers), patch on `/status` for its own custom resources that have that
 * subresource, Events, the leader Lease (create, then get/update by name) and whatever `uses()` declares.
 * Scope: a Role per namespace when the operator works in named namespaces, else a ClusterRole.
 */
export function deriveRbac(input: RbacInput): DerivedRbac {
  const { description: d } = input;
  const book = new RuleBook();
  const crdOf = (ref: ResourceRef) =>
    input.crds?.find((c) => c.spec.group === (ref.group ?? '') && (c.spec.names.plural === ref.plural || c.spec.names.kind === ref.kind));
  const isClusterScoped = (ref: ResourceRef, declared?: boolean) =>
    declared ?? (crdOf(ref)?.spec.scope === 'Cluster' || CLUSTER_SCOPED.has(`${ref.group ?? ''}/${ref.plural ?? ''}`));
  // Globs in namespaces ("team-*") cannot name Roles: such an operator needs cluster-wide rules.
  const operatorNamespaces = (own?: string[]) => {
    const list = own?.length ? own : d.namespaces;
    return list.length === 0 || list.some(hasGlob) ? undefined : [...new Set(list)];
  };
  const scopesFor = (ref: ResourceRef, options: { namespaces?: string[]; namespace?: string; clusterScoped?: boolean } = {}) => {
    if (isClusterScoped(ref, options.clusterScoped)) return [{ cluster: true } as const];
    if (options.namespace) return [{ namespace: options.namespace }];
    const namespaces = operatorNamespaces(options.namespaces);
    return namespaces ? namespaces.map((namespace) => ({ namespace })) : [{ cluster: true } as const];
  };
  const addAll = (scopes: RuleScope[], rule: PolicyRule, why: string, conditional?: Partial<Record<ApiVerb, string>>) =>
    scopes.forEach((s) => book.add(s, rule, why, conditional));
  const pagedList = { list: 'the paged initial list, when the server cannot stream it (WatchList off); else watch serves it' };

  for (const r of d.resources) {
    const plural = pluralOf(r.resource, 'watched resource');
    const group = r.resource.group ?? '';
    const scopes = scopesFor(r.resource, r.namespaces ? { namespaces: r.namespaces } : {});
    const uses = [...r.handlers, ...r.feeds.map((f) => `feeds the reconciler of ${f}`)];
    addAll(scopes, { apiGroups: [group], resources: [plural], verbs: ['list', 'watch'] }, `watched (${uses.join(', ')})`, pagedList);
    if (r.patchesObject) addAll(scopes, { apiGroups: [group], resources: [plural], verbs: ['patch'] }, r.patchReasons.join('; '));
    const crd = crdOf(r.resource);
    const writesStatus = r.handlers.some((h) => h !== 'index');
    if (crd?.spec.versions.some((v) => v.subresources?.['status']) && writesStatus)
      addAll(
        scopes,
        { apiGroups: [group], resources: [`${plural}/status`], verbs: ['patch'] },
        'status written by handlers (ctx.patch.status)',
      );
  }
  for (const w of d.watchedObjects) {
    const plural = pluralOf(w.resource, 'watched object of');
    const byNamespace = new Map<string, string[]>();
    for (const k of w.keys) byNamespace.set(k.namespace ?? '', [...(byNamespace.get(k.namespace ?? '') ?? []), k.name]);
    for (const [namespace, names] of byNamespace) {
      const scope: RuleScope = namespace ? { namespace } : { cluster: true };
      book.add(
        scope,
        { apiGroups: [w.resource.group ?? ''], resources: [plural], resourceNames: [...new Set(names)].sort(), verbs: ['list', 'watch'] },
        'watched by name (watchObjects: listed and watched with a metadata.name field selector)',
        pagedList,
      );
    }
  }
  for (const decl of d.declarations) {
    const plural = pluralOf(decl.resource, 'uses');
    const resource = decl.subresource ? `${plural}/${decl.subresource}` : plural;
    const scopes = scopesFor(decl.resource, {
      ...(decl.namespace ? { namespace: decl.namespace } : {}),
      ...(decl.clusterScoped !== undefined ? { clusterScoped: decl.clusterScoped } : {}),
    });
    const rule: PolicyRule = {
      apiGroups: [decl.resource.group ?? ''],
      resources: [resource],
      ...(decl.names?.length ? { resourceNames: [...new Set(decl.names)].sort() } : {}),
      verbs: decl.verbs,
    };
    addAll(scopes, rule, decl.why);
  }
  if (d.events) {
    addAll(
      scopesFor({ version: 'v1', plural: 'events' }),
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      'Events on the objects it handles (patch: a repeated Event counts up)',
      {
        create: 'handlers that post Events (ctx.events); createOperator({ events: false }) drops this rule',
        patch: 'an Event repeated within 10 minutes (it counts up)',
      },
    );
  }
  if (input.leaderElection) {
    const { namespace, leaseName } = input.leaderElection;
    const why = 'leader election: one active replica';
    book.add({ namespace }, { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] }, `${why} (creates its Lease)`);
    book.add(
      { namespace },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['get', 'update'] },
      `${why} (reads and renews its Lease)`,
    );
  }
  const webhooks = input.webhooks;
  if (webhooks && d.conversions.length) {
    book.add(
      { cluster: true },
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        resourceNames: [...d.conversions].sort(),
        verbs: ['patch'],
      },
      'the conversion webhook: spec.conversion (with the caBundle) of the CRDs it converts',
    );
  }
  if (webhooks && (d.admission.length || d.conversions.length)) {
    const group = 'admissionregistration.k8s.io';
    const kinds = new Set(d.admission.map((a) => a.kind));
    for (const [kind, plural] of [
      ['validate', 'validatingwebhookconfigurations'],
      ['mutate', 'mutatingwebhookconfigurations'],
    ] as const) {
      if (!kinds.has(kind)) continue;
      const why = 'its webhook configuration, written by server-side apply (create: the first apply) with the caBundle';
      book.add({ cluster: true }, { apiGroups: [group], resources: [plural], verbs: ['create'] }, why);
      book.add(
        { cluster: true },
        { apiGroups: [group], resources: [plural], resourceNames: [webhooks.configurationName], verbs: ['patch'] },
        why,
      );
    }
    if (webhooks.certSecret) {
      const why = 'the webhook certificates, kept in one Secret for every replica (made once, renewed before expiry)';
      book.add({ namespace: webhooks.namespace }, { apiGroups: [''], resources: ['secrets'], verbs: ['create'] }, why);
      book.add(
        { namespace: webhooks.namespace },
        { apiGroups: [''], resources: ['secrets'], resourceNames: [webhooks.certSecret], verbs: ['get', 'update'] },
        why,
        { update: 'renewing the certificate (every 60 days by default)' },
      );
    }
  }
  for (const e of input.extra ?? []) book.add(e.scope, e.rule, e.why);
  return book.result();
}

/** Whether a rule grants a request (resource rules; `resource` may be `<plural>/<subresource>`). */
export function ruleAllows(rule: PolicyRule, request: { verb: string; apiGroup: string; resource: string; name?: string }): boolean {
  if (!rule.apiGroups.includes(request.apiGroup) && !rule.apiGroups.includes('*')) return false;
  if (!rule.resources.includes(request.resource) && !rule.resources.includes('*')) return false;
  if (!rule.verbs.includes(request.verb as ApiVerb)) return false;
  if (rule.resourceNames?.length) return !!request.name && rule.resourceNames.includes(request.name);
  return true;
}
