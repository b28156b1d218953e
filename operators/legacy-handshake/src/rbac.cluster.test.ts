// The generated RBAC is sufficient and minimal: the operator runs as its ServiceAccount bound only to the roles
// `capstan generate` derives from src/install.ts; the audit log shows nothing refused and every grant used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster, type ClusterHandle } from '@capstan/localcluster';
import { createLegacyMock, type LegacyMock } from '@capstan/legacy-mock';
import { ApiClient, createOperator, type KubeObject } from 'capstan';
import {
  applyGeneratedRbac,
  describeUnused,
  rbacCoverage,
  runOperatorInProcess,
  type AppliedRbac,
  type RunningOperator,
} from 'capstan/testing';
import { install } from './install.js';
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
  waitHandshaken,
} from './test-fixtures.js';

const MUTATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' };
let client: ApiClient;
let opsNs: string;
let appNs: string;
let cluster: ClusterHandle;
let applied: AppliedRbac;
let mock: LegacyMock;
let fakeNode: string;
let running: RunningOperator | undefined;

before(async () => {
  cluster = await useTestCluster();
  client = await ApiClient.create(cluster.kubeconfigPath);
  [opsNs, appNs] = await Promise.all([createNamespace(client, 'hs-rbac-ops'), createNamespace(client, 'hs-rbac-app')]);
  // The roles `capstan generate` derives from src/install.ts, for this test's namespace (its suffix Secret there).
  applied = await applyGeneratedRbac({
    client,
    install,
    namespace: opsNs,
    // The install's args, with the suffix Secret in this test's namespace and the webhook reached on this machine.
    args: (install.args ?? [])
      .map((a) => (a.startsWith('--suffix-secret=') ? `--suffix-secret=${opsNs}/legacy-handshake-suffix:suffix` : a))
      .concat('--webhook-local', '--webhook-port=0', `--webhook-cert-secret=${install.name}-webhook-cert`),
  });
  // A Secret the operator must not be able to read; its own suffix Secret comes later (read while absent first).
  await createSuffixSecret(client, opsNs, 'other-secret', '-not-for-the-operator');

  fakeNode = await createFakeNode(client);
  mock = createLegacyMock({ port: 0, host: '127.0.0.1' });
  await mock.listen();

  // An opted-in Deployment whose pod is created before the webhook exists: it escapes, and the operator falls
  // back to patching the template (list of pods, patch of the Deployment).
  await client.create(
    DEPLOYMENTS,
    {
      metadata: { name: 'rbac-opt-in', labels: { 'secret-handshake': 'true' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'app', image: 'legacy-mock' }] } },
      },
    } as unknown as KubeObject,
    { namespace: appNs },
  );
  await eventually('its pod, created without the webhook', async () =>
    (await client.list(PODS, { namespace: appNs, labelSelector: 'app=x' })).items.length > 0 ? true : undefined,
  );
  const saKubeconfig = await cluster.serviceAccountKubeconfig(opsNs, applied.serviceAccount.name);
  const handshake = await applied.install.operator({ namespace: opsNs, args: applied.install.args ?? [] });
  running = await runOperatorInProcess(handshake, {
    kubeconfigPath: saKubeconfig,
    namespaces: [appNs],
    level: 'info',
    // Short periods so that the scenario also renews the Lease (get, update), not only creates it.
    leaderElection: { namespace: opsNs, leaseName: install.name, leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 },
  });
});

after(async () => {
  await running?.stop();
  await mock?.close({ graceMs: 0 });
  await applied?.remove();
  await client.delete(MUTATING, { name: install.name }).catch(() => undefined);
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
  // No suffix Secret yet: the operator reads it from the API server (get by name), fails and says so.
  await eventually('a Warning Event: no suffix', async () =>
    (await eventsOf(client, appNs, 'rbac')).some((e) => e.type === 'Warning') ? true : undefined,
  );
  await createSuffixSecret(client, opsNs, 'legacy-handshake-suffix', '-acknowledge');
  await waitHandshaken(client, appNs, 'rbac');
  await eventually('gate True', async () => (conditionOf(await getPod(client, appNs, 'rbac'), GATE) === 'True' ? true : undefined));
  await eventually('a Handshaken Event', async () =>
    (await eventsOf(client, appNs, 'rbac')).some((e) => e.reason === 'Handshaken') ? true : undefined,
  );

  // A bad port annotation, handled twice (the pod changed in between): the identical Warning aggregates (patch).
  await client.create(PODS, legacyPod('bad-port', { nodeName: fakeNode, annotations: { 'secret-handshake/port': 'nope' } }), {
    namespace: appNs,
  });
  await fakeRunning(client, appNs, 'bad-port', 0);
  await eventually('an InvalidPort Event', async () =>
    (await eventsOf(client, appNs, 'bad-port')).some((e) => e.reason === 'InvalidPort') ? true : undefined,
  );
  await client.patch(PODS, { namespace: appNs, name: 'bad-port' }, { metadata: { annotations: { touched: 'once' } } });
  await eventually('the InvalidPort Event counted twice', async () =>
    (await eventsOf(client, appNs, 'bad-port')).some((e) => e.reason === 'InvalidPort' && (e.count ?? 0) >= 2) ? true : undefined,
  );

  await eventually('Deployment opted in', async () => {
    const d = await client.get<KubeObject & { spec: { template: { metadata: { labels: Record<string, string> } } } }>(DEPLOYMENTS, {
      namespace: appNs,
      name: 'rbac-opt-in',
    });
    return d.spec.template.metadata.labels['secret-handshake'] ? true : undefined;
  });
});

test('sufficient and minimal: nothing forbidden, every granted verb used (from the audit log)', async (t) => {
  if (!cluster.auditLogPath) return t.skip('an existing cluster: no audit log to read');
  const coverage = await rbacCoverage(cluster.auditLogPath!, applied);
  assert.deepEqual(coverage.forbidden, [], 'no request refused');
  assert.deepEqual(describeUnused(coverage), [], 'every generated grant was used');
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
