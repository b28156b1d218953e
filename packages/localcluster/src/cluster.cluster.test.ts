// Control-plane tests on the shared test cluster: CRDs, kubectl explain, garbage collection, namespaces, RBAC, tokens.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { KubeApi } from './api.js';
import { KubeApiError } from './errors.js';
import type { ClusterHandle } from './handle.js';
import { useTestCluster } from './test-cluster.js';
import { waitFor } from './wait.js';
import { kubectl as runKubectl } from './kubectl.js';

const kubectl = async (kubeconfig: string, ...args: string[]) => ({ stdout: await runKubectl(kubeconfig, args) });
const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

let cluster: ClusterHandle;
let api: KubeApi;
let ca: string;

before(async () => {
  cluster = await useTestCluster();
  ca = cluster.ca ?? '';
  api = new KubeApi({ server: cluster.server, token: cluster.adminToken ?? '', ca });
});
after(() => api?.close());

const createNamespace = async (prefix: string) => {
  const name = unique(prefix);
  await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
};

const crd = (group: string) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'A widget for tests.',
            properties: {
              spec: {
                type: 'object',
                description: 'What the widget should be.',
                properties: { size: { type: 'integer', description: 'How big the widget is.' } },
              },
            },
          },
        },
      },
    ],
  },
});

describe('local control plane', () => {
  test('kubectl works with the kubeconfig and the default namespace exists', async () => {
    const { stdout } = await kubectl(cluster.kubeconfigPath, 'get', 'ns', 'default', '-o', 'name');
    assert.equal(stdout.trim(), 'namespace/default');
  });

  test('a CRD is applied, then a custom resource is created and explained', async () => {
    const group = `${unique('t')}.capstan.test`;
    await api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd(group));
    await waitFor(
      async () => {
        const got = await api.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`,
        );
        return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { timeoutMs: 30_000, what: 'CRD established' },
    );
    const ns = await createNamespace('crd');
    const created = await api.post<{ spec: { size: number } }>(`/apis/${group}/v1/namespaces/${ns}/widgets`, {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w1' },
      spec: { size: 3 },
    });
    assert.equal(created.spec.size, 3);
    // The OpenAPI of a new CRD is published asynchronously: wait until explain knows it.
    const explained = await waitFor(
      async () => {
        try {
          return (await kubectl(cluster.kubeconfigPath, 'explain', `widgets.${group}.spec`)).stdout;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, what: 'kubectl explain' },
    );
    assert.match(explained, /How big the widget is/);
  });

  test('garbage collection deletes dependents of a deleted owner', async () => {
    const ns = await createNamespace('gc');
    const owner = await api.post<{ metadata: { uid: string } }>(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'owner' } });
    await api.post(`/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'child', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }] },
    });
    await api.delete(`/api/v1/namespaces/${ns}/configmaps/owner`);
    await waitFor(async () => (await api.find(`/api/v1/namespaces/${ns}/configmaps/child`)) === undefined, {
      timeoutMs: 60_000,
      what: 'child collected',
    });
  });

  test('namespace deletion completes', async () => {
    const ns = await createNamespace('del');
    await api.post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'c' } });
    await api.delete(`/api/v1/namespaces/${ns}`);
    await waitFor(async () => (await api.find(`/api/v1/namespaces/${ns}`)) === undefined, { timeoutMs: 90_000, what: 'namespace gone' });
  });

  test('RBAC denies a limited user and allows what a Role grants', async (t) => {
    if (!cluster.capabilities.mintUserTokens) return t.skip('needs a local cluster to mint user tokens');
    const ns = await createNamespace('rbac');
    const user = unique('alice');
    const alice = new KubeApi({ server: cluster.server, token: cluster.mintToken({ user, groups: ['testers'] }), ca });
    try {
      await assert.rejects(
        alice.get(`/api/v1/namespaces/${ns}/configmaps`),
        (err: unknown) => err instanceof KubeApiError && err.status === 403,
      );
      await api.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
        metadata: { name: 'read-cm' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      });
      await api.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
        metadata: { name: 'read-cm' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-cm' },
        subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
      });
      await waitFor(async () => (await alice.raw(`/api/v1/namespaces/${ns}/configmaps`)).status === 200, {
        timeoutMs: 30_000,
        what: 'RBAC grant',
      });
      await assert.rejects(
        alice.get(`/api/v1/namespaces/${ns}/secrets`),
        (err: unknown) => err instanceof KubeApiError && err.status === 403,
      );
    } finally {
      alice.close();
    }
  });

  test('a ServiceAccount kubeconfig authenticates as that account', async () => {
    const ns = await createNamespace('sa');
    const path = await cluster.serviceAccountKubeconfig(ns, 'robot');
    const result = await kubectl(path, 'auth', 'can-i', 'list', 'pods', '-n', ns).catch((err: { stdout?: string }) => ({
      stdout: err.stdout ?? '',
    }));
    assert.equal(result.stdout.trim(), 'no');
    const { stdout } = await kubectl(
      cluster.kubeconfigPath,
      'auth',
      'can-i',
      'get',
      'serviceaccounts',
      '-n',
      ns,
      `--as=system:serviceaccount:${ns}:robot`,
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    assert.equal(stdout.trim(), 'no');
  });
});
