// The install's RBAC is enough: the operator runs as its ServiceAccount with exactly deploy/legacy-handshake's roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { useTestCluster, kubectlPath } from '@capstan/localcluster';
import { createLegacyMock, type LegacyMock } from '@capstan/legacy-mock';
import { ApiClient, createOperator, type KubeObject } from 'capstan';
import { runOperatorInProcess, type RunningOperator } from 'capstan/testing';
import { createHandshakeOperator } from './operator.js';
import { SuffixSource } from './suffix.js';
import {
  conditionOf,
  createFakeNode,
  createNamespace,
  createSuffixSecret,
  deleteNamespaces,
  DEPLOYMENTS,
  eventsOf,
  eventually,
  fakeRunning,
  GATE,
  getPod,
  legacyPod,
  NODES,
  PODS,
  uniqueName,
  waitHandshaken,
} from './test-fixtures.js';

const deployDir = fileURLToPath(new URL('../../../deploy/legacy-handshake', import.meta.url));
const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;

let client: ApiClient;
let opsNs: string;
let appNs: string;
let clusterRoleName: string;
let mock: LegacyMock;
let fakeNode: string;
let running: RunningOperator | undefined;

before(async () => {
  const cluster = await useTestCluster();
  client = await ApiClient.create(cluster.kubeconfigPath);
  [opsNs, appNs] = await Promise.all([createNamespace(client, 'hs-rbac-ops'), createNamespace(client, 'hs-rbac-app')]);
  clusterRoleName = uniqueName('legacy-handshake-operator-test');

  // The manifests as shipped; only names that must be unique per test run are changed.
  const rendered = execFileSync(kubectlPath(), ['kustomize', deployDir], { encoding: 'utf8' });
  const objects = parseAllDocuments(rendered).map((doc) => doc.toJS() as KubeObject & Record<string, unknown>);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const subjects = [{ kind: 'ServiceAccount', name: 'legacy-handshake-operator', namespace: opsNs }];
  await client.create(
    { version: 'v1', plural: 'serviceaccounts' },
    { metadata: { name: 'legacy-handshake-operator' } },
    { namespace: opsNs },
  );
  for (const role of byKind('ClusterRole')) {
    await client.create({ ...RBAC, plural: 'clusterroles' }, { ...role, metadata: { name: clusterRoleName } });
  }
  await client.create({ ...RBAC, plural: 'clusterrolebindings' }, {
    metadata: { name: clusterRoleName },
    roleRef: { apiGroup: RBAC.group, kind: 'ClusterRole', name: clusterRoleName },
    subjects,
  } as unknown as KubeObject);
  for (const role of byKind('Role')) {
    await client.create({ ...RBAC, plural: 'roles' }, { ...role, metadata: { name: 'legacy-handshake-operator' } }, { namespace: opsNs });
  }
  await client.create(
    { ...RBAC, plural: 'rolebindings' },
    {
      metadata: { name: 'legacy-handshake-operator' },
      roleRef: { apiGroup: RBAC.group, kind: 'Role', name: 'legacy-handshake-operator' },
      subjects,
    } as unknown as KubeObject,
    { namespace: opsNs },
  );
  // The Secret name the Role's resourceNames allow; a second Secret the operator must not be able to read.
  await createSuffixSecret(client, opsNs, 'legacy-handshake-suffix', '-acknowledge');
  await createSuffixSecret(client, opsNs, 'other-secret', '-not-for-the-operator');

  fakeNode = await createFakeNode(client);
  mock = createLegacyMock({ port: 0, host: '127.0.0.1' });
  await mock.listen();

  const saKubeconfig = await cluster.serviceAccountKubeconfig(opsNs, 'legacy-handshake-operator');
  const handshake = createHandshakeOperator({
    suffixSecret: { namespace: opsNs, name: 'legacy-handshake-suffix', key: 'suffix' },
    timeoutMs: 2000,
    backoff: { baseMs: 200, capMs: 2000 },
  });
  running = await runOperatorInProcess(handshake, { kubeconfigPath: saKubeconfig, namespaces: [appNs], level: 'info' });
});

after(async () => {
  await running?.stop();
  await mock?.close({ graceMs: 0 });
  await client.delete({ ...RBAC, plural: 'clusterrolebindings' }, { name: clusterRoleName }).catch(() => undefined);
  await client.delete({ ...RBAC, plural: 'clusterroles' }, { name: clusterRoleName }).catch(() => undefined);
  await deleteNamespaces(client, [opsNs, appNs]);
  await client.delete(NODES, { name: fakeNode }).catch(() => undefined);
  client.close();
});

test('as its ServiceAccount the operator handshakes, annotates, opens the gate, posts Events and opts Deployments in', async () => {
  const port = Number(new URL(mock.url).port);
  await client.create(PODS, legacyPod('rbac', { nodeName: fakeNode, annotations: { 'secret-handshake/port': String(port) } }), {
    namespace: appNs,
  });
  await fakeRunning(client, appNs, 'rbac', 0);
  await waitHandshaken(client, appNs, 'rbac');
  await eventually('gate True', async () => (conditionOf(await getPod(client, appNs, 'rbac'), GATE) === 'True' ? true : undefined));
  await eventually('a Handshaken Event', async () =>
    (await eventsOf(client, appNs, 'rbac')).some((e) => e.reason === 'Handshaken') ? true : undefined,
  );

  await client.create(
    DEPLOYMENTS,
    {
      metadata: { name: 'rbac-opt-in', labels: { 'secret-handshake': 'true' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'app', image: 'legacy-mock' }] } },
      },
    } as unknown as KubeObject,
    { namespace: appNs },
  );
  await eventually('Deployment opted in', async () => {
    const d = await client.get<KubeObject & { spec: { template: { metadata: { labels: Record<string, string> } } } }>(DEPLOYMENTS, {
      namespace: appNs,
      name: 'rbac-opt-in',
    });
    return d.spec.template.metadata.labels['secret-handshake'] ? true : undefined;
  });
  // Includes the suffix Secret watch by name: a forbidden watch would log a warning.
  assert.deepEqual(
    running?.logs.filter((line) => /\b(WARN|ERROR)\b/.test(line)),
    [],
    'no warning (nothing forbidden)',
  );
});

test('the ServiceAccount cannot read other Secrets, not even in its own namespace', async () => {
  const cluster = await useTestCluster();
  const sa = await ApiClient.create(await cluster.serviceAccountKubeconfig(opsNs, 'legacy-handshake-operator'));
  try {
    await assert.rejects(sa.get({ version: 'v1', plural: 'secrets' }, { namespace: opsNs, name: 'other-secret' }), /forbidden/i);
    await assert.rejects(sa.list({ version: 'v1', plural: 'secrets' }, { namespace: opsNs }), /forbidden/i);
    await assert.rejects(sa.list({ version: 'v1', plural: 'configmaps' }, { namespace: appNs }), /forbidden/i);
    await assert.rejects(sa.delete(PODS, { namespace: appNs, name: 'rbac' }), /forbidden/i);
  } finally {
    sa.close();
  }
});

test('the suffix Secret is watched by name as the ServiceAccount: a change reaches the cache at once', async () => {
  const cluster = await useTestCluster();
  const sa = await ApiClient.create(await cluster.serviceAccountKubeconfig(opsNs, 'legacy-handshake-operator'));
  const ref = { namespace: opsNs, name: 'legacy-handshake-suffix', key: 'suffix' };
  // A max age of an hour: only the watch can make the source read the Secret again.
  const source = new SuffixSource({
    ref,
    maxAgeMs: 3_600_000,
    read: (signal) => sa.get({ version: 'v1', plural: 'secrets' }, ref, { signal }),
  });
  const warnings: string[] = [];
  // The operator's own facility (watchObjects), on the ServiceAccount's Role: list and watch by name only.
  const op = createOperator({
    name: 'rbac-suffix-watch',
    client: sa,
    events: false,
    logger: { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) },
  });
  op.watchObjects({ version: 'v1', plural: 'secrets' }, [{ namespace: ref.namespace, name: ref.name }], {
    onChange: ({ object }) => {
      if (source.isStale(object?.metadata.resourceVersion)) source.invalidate();
    },
  });
  const stop = new AbortController();
  const running = op.run({ signal: stop.signal });
  try {
    await op.ready;
    assert.equal(await source.get(), '-acknowledge');
    await client.patch({ version: 'v1', plural: 'secrets' }, ref, { stringData: { suffix: '-rotated' } } as Record<string, unknown>);
    await eventually('the rotated suffix', async () => ((await source.get()) === '-rotated' ? true : undefined));
    assert.deepEqual(warnings, []);
  } finally {
    stop.abort();
    await running;
    await client.patch({ version: 'v1', plural: 'secrets' }, ref, { stringData: { suffix: '-acknowledge' } } as Record<string, unknown>);
    sa.close();
  }
});
