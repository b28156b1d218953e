// deriveRbac, table-driven: what each declaration grants, where (ClusterRole or Role), and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../structs/schema/builder.js';
import { defineCustomResource } from '../../structs/schema/custom-resource.js';
import type { OperatorDescription, WatchedResourceDescription } from '../description.js';
import { deriveRbac, ruleAllows, type DerivedRbac, type RbacInput } from './rbac.js';

const widgets = defineCustomResource({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  spec: s.object({ size: s.integer() }),
  status: s.optional(s.object({ ready: s.optional(s.boolean()) })),
});
const clusterThings = defineCustomResource({
  group: 'example.com',
  version: 'v1',
  kind: 'Thing',
  plural: 'things',
  scope: 'Cluster',
  spec: s.object({ size: s.integer() }),
});

const watched = (over: Partial<WatchedResourceDescription> & Pick<WatchedResourceDescription, 'resource'>): WatchedResourceDescription => ({
  handlers: ['reconcile'],
  patchesObject: false,
  patchReasons: [],
  feeds: [],
  ...over,
});

const describe = (over: Partial<OperatorDescription>): OperatorDescription => ({
  name: 'op',
  namespaces: [],
  resources: [],
  watchedObjects: [],
  declarations: [],
  events: false,
  admission: [],
  conversions: [],
  ...over,
});

/** `<scope> <group>/<resources>[(names)] <verbs>`: a compact, order-stable picture of the result. */
function picture(rbac: DerivedRbac): string[] {
  const line = (scope: string, r: DerivedRbac['cluster'][number]) =>
    `${scope} ${r.rule.apiGroups.join(',')}/${r.rule.resources.join(',')}${r.rule.resourceNames ? `(${r.rule.resourceNames.join(',')})` : ''} ${r.rule.verbs.join(',')}`;
  return [...rbac.cluster.map((r) => line('cluster', r)), ...rbac.namespaced.flatMap((n) => n.rules.map((r) => line(n.namespace, r)))];
}

const cases: { name: string; input: RbacInput; expected: string[] }[] = [
  {
    name: 'a reconciler of its own CRD: list/watch, status patch; no object patch without change handlers or finalizers',
    input: { description: describe({ resources: [watched({ resource: widgets.ref })] }), crds: [widgets.crd], leaderElection: false },
    expected: ['cluster example.com/widgets list,watch', 'cluster example.com/widgets/status patch'],
  },
  {
    name: 'change handlers and finalizers patch the object',
    input: {
      description: describe({
        resources: [watched({ resource: widgets.ref, handlers: ['on.create'], patchesObject: true, patchReasons: ['its finalizer'] })],
      }),
      crds: [widgets.crd],
      leaderElection: false,
    },
    expected: ['cluster example.com/widgets list,watch,patch', 'cluster example.com/widgets/status patch'],
  },
  {
    name: 'an index only (no handler) writes no status',
    input: {
      description: describe({ resources: [watched({ resource: widgets.ref, handlers: ['index'] })] }),
      crds: [widgets.crd],
      leaderElection: false,
    },
    expected: ['cluster example.com/widgets list,watch'],
  },
  {
    name: 'named namespaces: a Role in each; Events there too',
    input: {
      description: describe({
        namespaces: ['b', 'a'],
        events: true,
        resources: [watched({ resource: { version: 'v1', plural: 'pods' } })],
      }),
      leaderElection: false,
    },
    expected: ['a /events create,patch', 'a /pods list,watch', 'b /events create,patch', 'b /pods list,watch'],
  },
  {
    name: 'a glob among the namespaces cannot name Roles: cluster-wide',
    input: {
      description: describe({ namespaces: ['team-*'], resources: [watched({ resource: { version: 'v1', plural: 'pods' } })] }),
      leaderElection: false,
    },
    expected: ['cluster /pods list,watch'],
  },
  {
    name: 'cluster-scoped resources go to the ClusterRole even for a namespaced operator',
    input: {
      description: describe({
        namespaces: ['a'],
        resources: [watched({ resource: clusterThings.ref }), watched({ resource: { version: 'v1', plural: 'namespaces' } })],
      }),
      crds: [clusterThings.crd],
      leaderElection: false,
    },
    expected: ['cluster /namespaces list,watch', 'cluster example.com/things list,watch'],
  },
  {
    name: 'watchObjects: by name, in the object namespace',
    input: {
      description: describe({
        watchedObjects: [{ resource: { version: 'v1', plural: 'secrets' }, keys: [{ namespace: 'ops', name: 's' }] }],
      }),
      leaderElection: false,
    },
    expected: ['ops /secrets(s) list,watch'],
  },
  {
    name: 'declarations merge with what is derived (verbs in API order), subresources and names kept apart',
    input: {
      description: describe({
        resources: [watched({ resource: { version: 'v1', plural: 'secrets' } })],
        declarations: [
          { resource: { version: 'v1', plural: 'secrets' }, verbs: ['delete', 'create'], why: 'owns' },
          { resource: { version: 'v1', plural: 'pods' }, subresource: 'status', verbs: ['patch'], why: 'gate' },
          { resource: { version: 'v1', plural: 'configmaps' }, names: ['cfg'], namespace: 'ops', verbs: ['get'], why: 'settings' },
        ],
      }),
      leaderElection: false,
    },
    expected: ['cluster /pods/status patch', 'cluster /secrets list,watch,create,delete', 'ops /configmaps(cfg) get'],
  },
  {
    name: 'leader election: create, then get/update of its one Lease, in its namespace',
    input: { description: describe({}), leaderElection: { namespace: 'sys', leaseName: 'op' } },
    expected: ['sys coordination.k8s.io/leases create', 'sys coordination.k8s.io/leases(op) get,update'],
  },
];

for (const c of cases) {
  test(`deriveRbac: ${c.name}`, () => {
    assert.deepEqual(picture(deriveRbac(c.input)), c.expected);
  });
}

test('every rule says why; list of watched resources and Events are marked conditional, with the path', () => {
  const rbac = deriveRbac({
    description: describe({ events: true, resources: [watched({ resource: widgets.ref })] }),
    crds: [widgets.crd],
    leaderElection: false,
  });
  for (const r of rbac.cluster) assert.ok(r.why.length > 0 && r.why.every((w) => w.trim().length > 10), JSON.stringify(r));
  const list = rbac.cluster.find((r) => r.rule.resources[0] === 'widgets');
  assert.match(list?.conditional?.list ?? '', /paged initial list/);
  const events = rbac.cluster.find((r) => r.rule.resources[0] === 'events');
  assert.deepEqual(Object.keys(events?.conditional ?? {}).sort(), ['create', 'patch']);
});

test('a verb declared outright is no longer conditional when merged', () => {
  const rbac = deriveRbac({
    description: describe({
      resources: [watched({ resource: { version: 'v1', plural: 'secrets' } })],
      declarations: [{ resource: { version: 'v1', plural: 'secrets' }, verbs: ['list'], why: 'lists Secrets by label in a handler' }],
    }),
    leaderElection: false,
  });
  assert.equal(rbac.cluster[0]?.conditional, undefined);
});

test('a resource given only by kind is refused: RBAC needs the plural', () => {
  assert.throws(
    () =>
      deriveRbac({ description: describe({ resources: [watched({ resource: { version: 'v1', kind: 'Pod' } })] }), leaderElection: false }),
    /needs the resource's plural/,
  );
});

test('ruleAllows: group, resource, verb and names', () => {
  const rule = { apiGroups: [''], resources: ['secrets'], resourceNames: ['s'], verbs: ['get' as const] };
  assert.equal(ruleAllows(rule, { verb: 'get', apiGroup: '', resource: 'secrets', name: 's' }), true);
  assert.equal(ruleAllows(rule, { verb: 'get', apiGroup: '', resource: 'secrets', name: 'other' }), false);
  assert.equal(ruleAllows(rule, { verb: 'list', apiGroup: '', resource: 'secrets' }), false);
  assert.equal(ruleAllows(rule, { verb: 'get', apiGroup: 'apps', resource: 'secrets', name: 's' }), false);
});

test('webhooks: their configurations (create, then patch by name) and the certificate Secret in the operator namespace', () => {
  const rbac = deriveRbac({
    description: describe({ admission: [{ kind: 'validate', id: 'v', resource: widgets.ref }] }),
    leaderElection: false,
    webhooks: { namespace: 'sys', configurationName: 'op', certSecret: 'op-webhook-cert' },
  });
  assert.deepEqual(picture(rbac), [
    'cluster admissionregistration.k8s.io/validatingwebhookconfigurations create',
    'cluster admissionregistration.k8s.io/validatingwebhookconfigurations(op) patch',
    'sys /secrets create',
    'sys /secrets(op-webhook-cert) get,update',
  ]);
});

test('conversions: patch of exactly those CRDs, and the certificate Secret', () => {
  const rbac = deriveRbac({
    description: describe({ conversions: ['widgets.example.com'] }),
    leaderElection: false,
    webhooks: { namespace: 'sys', configurationName: 'op', certSecret: 'op-webhook-cert' },
  });
  assert.deepEqual(picture(rbac), [
    'cluster apiextensions.k8s.io/customresourcedefinitions(widgets.example.com) patch',
    'sys /secrets create',
    'sys /secrets(op-webhook-cert) get,update',
  ]);
});
