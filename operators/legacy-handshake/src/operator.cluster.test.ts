// The operator against the real local control plane, with in-process legacy apps standing in for the pod processes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { createLegacyMock, type LegacyMock, type LegacyMockOptions } from '@capstan/legacy-mock';
import { ApiClient, type KubeObject } from 'capstan';
import { runOperatorInProcess, type RunningOperator } from 'capstan/testing';
import { createHandshakeOperator } from './operator.js';
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
  SECRETS,
  waitHandshaken,
} from './test-fixtures.js';

// No kubelet runs these pods (bound to a Node nobody serves): the test plays the kubelet's status writes,
// and an in-process legacy-mock on 127.0.0.1:<port> is "the process".

describe('legacy-handshake operator (in-process apps)', () => {
  let client: ApiClient;
  let appNs: string;
  let opsNs: string;
  let otherNs: string;
  let fakeNode: string;
  let running: RunningOperator | undefined;
  const mocks: LegacyMock[] = [];

  async function app(options: LegacyMockOptions = {}, port = 0): Promise<{ mock: LegacyMock; port: number }> {
    const mock = createLegacyMock({ port, host: '127.0.0.1', ...options });
    mocks.push(mock);
    return { mock, port: Number(new URL(await mock.listen()).port) };
  }

  async function runningPod(name: string, port: number, options: Parameters<typeof legacyPod>[1] = {}, namespace = appNs): Promise<void> {
    const pod = legacyPod(name, {
      nodeName: fakeNode,
      ...options,
      annotations: { 'secret-handshake/port': String(port), ...options.annotations },
    });
    await client.create(PODS, pod, { namespace });
    await fakeRunning(client, namespace, name, 0);
  }

  before(async () => {
    const cluster = await useTestCluster();
    client = await ApiClient.create(cluster.kubeconfigPath);
    [appNs, opsNs, otherNs] = await Promise.all([
      createNamespace(client, 'hs-app'),
      createNamespace(client, 'hs-ops'),
      createNamespace(client, 'hs-other'),
    ]);
    await createSuffixSecret(client, opsNs, 'suffix', '-acknowledge');
    fakeNode = await createFakeNode(client);
    const handshake = createHandshakeOperator({
      suffixSecret: { namespace: opsNs, name: 'suffix', key: 'suffix' },
      timeoutMs: 1000,
      backoff: { baseMs: 200, capMs: 2000 },
    });
    // capstan/testing's runner supplies the cluster, the namespaces and a log collector; waits for ready.
    running = await runOperatorInProcess(handshake, { kubeconfigPath: cluster.kubeconfigPath, namespaces: [appNs], level: 'info' });
  });

  after(async () => {
    await running?.stop();
    await Promise.all(mocks.map((m) => m.close({ graceMs: 0 })));
    await deleteNamespaces(client, [appNs, opsNs, otherNs]);
    await client.delete(NODES, { name: fakeNode }).catch(() => undefined);
    client.close();
  });

  test('a labelled, gated pod is handshaken, annotated and its gate condition set True', async () => {
    const { mock, port } = await app();
    await runningPod('gated', port);
    const pod = await waitHandshaken(client, appNs, 'gated');
    assert.equal(mock.initialized, true);
    const gated = await eventually('gate condition True', async () => {
      const p = await getPod(client, appNs, 'gated');
      return conditionOf(p, GATE) === 'True' ? p : undefined;
    });
    assert.ok(gated.status?.conditions?.some((c) => c.type === GATE && c.reason === 'HandshakeDone'));
    assert.equal(pod.metadata.annotations?.['secret-handshake.pyvo.io/restart-count'], '0');
    // Events follow the writes they report: wait for them rather than expect them at once.
    await eventually('a Handshaken Event', async () =>
      (await eventsOf(client, appNs, 'gated')).some((e) => e.reason === 'Handshaken' && e.type === 'Normal') ? true : undefined,
    );
    assert.equal((await fetch(`${mock.url}/`)).status, 200);
  });

  test('unlabelled pods and pods in unwatched namespaces are untouched', async () => {
    const unlabelled = await app();
    const elsewhere = await app();
    await runningPod('unlabelled', unlabelled.port, { labelled: false });
    await runningPod('elsewhere', elsewhere.port, {}, otherNs);
    // A labelled pod created after them is handled: by then the operator has seen the other two.
    const witness = await app();
    await runningPod('witness', witness.port);
    await waitHandshaken(client, appNs, 'witness');
    for (const [ns, name, mock] of [
      [appNs, 'unlabelled', unlabelled.mock],
      [otherNs, 'elsewhere', elsewhere.mock],
    ] as const) {
      const pod = await getPod(client, ns, name);
      assert.equal(pod.metadata.annotations?.['secret-handshake-done'], undefined, name);
      assert.equal(conditionOf(pod, GATE), undefined, name);
      assert.equal(mock.stats.keyRequests, 0, name);
    }
  });

  test('a container restart (restartCount grows) leads to a new handshake of the new process', async () => {
    const first = await app();
    await runningPod('restarts', first.port);
    await waitHandshaken(client, appNs, 'restarts');
    // The "container" restarts: a fresh, uninitialised process on the same port, and the kubelet bumps the count.
    await first.mock.close({ graceMs: 0 });
    const second = await app({}, first.port);
    assert.equal(second.mock.initialized, false);
    await fakeRunning(client, appNs, 'restarts', 1);
    const pod = await waitHandshaken(client, appNs, 'restarts', 1);
    assert.equal(second.mock.initialized, true);
    await eventually('gate True again', async () =>
      conditionOf(await getPod(client, appNs, 'restarts'), GATE) === 'True' ? true : undefined,
    );
    assert.equal(pod.metadata.annotations?.['secret-handshake-done'], 'true');
    const events = await eventually('Restarted and two Handshaken Events', async () => {
      const found = await eventsOf(client, appNs, 'restarts');
      return found.some((e) => e.reason === 'Restarted') && found.filter((e) => e.reason === 'Handshaken').length >= 2 ? found : undefined;
    });
    assert.equal(events.filter((e) => e.reason === 'Handshaken').length, 2);
  });

  test('an app answering 500 is retried with backoff and the failures are reported by Events', async () => {
    const { mock, port } = await app({ faults: { failFirstKeyRequests: 2 } });
    await runningPod('flaky', port);
    await waitHandshaken(client, appNs, 'flaky');
    assert.equal(mock.initialized, true);
    assert.equal(mock.stats.keyRequests, 3);
    const warnings = await eventually('two HandshakeFailed Events', async () => {
      const found = (await eventsOf(client, appNs, 'flaky')).filter((e) => e.reason === 'HandshakeFailed');
      return found.length >= 2 ? found : undefined;
    });
    assert.equal(warnings.length, 2);
    for (const w of warnings) {
      assert.equal(w.type, 'Warning');
      assert.match(w.message ?? '', /fetch-key: GET \/internal\/key answered HTTP 500/);
      assert.ok(!(w.message ?? '').includes('-acknowledge'));
    }
  });

  test('an app not answering times out, is retried and reported, and is never marked done', async () => {
    const { mock, port } = await app({ faults: { delayMs: 600_000 } });
    await runningPod('silent', port);
    const warnings = await eventually('two timeout Events', async () => {
      const found = (await eventsOf(client, appNs, 'silent')).filter(
        (e) => e.reason === 'HandshakeFailed' && /timed out/.test(e.message ?? ''),
      );
      return found.length >= 2 ? found : undefined;
    });
    assert.ok(warnings.every((w) => w.type === 'Warning'));
    assert.ok(mock.stats.keyRequests >= 2);
    const pod = await getPod(client, appNs, 'silent');
    assert.equal(pod.metadata.annotations?.['secret-handshake-done'], undefined);
    assert.notEqual(conditionOf(pod, GATE), 'True');
    await client.delete(PODS, { namespace: appNs, name: 'silent' }, { gracePeriodSeconds: 0 });
  });

  test('a hostile port annotation is refused with a Warning and no request anywhere', async () => {
    await client.create(PODS, legacyPod('hostile', { nodeName: fakeNode, annotations: { 'secret-handshake/port': '3000/../x' } }), {
      namespace: appNs,
    });
    await fakeRunning(client, appNs, 'hostile', 0);
    const warning = await eventually('an InvalidPort Event', async () =>
      (await eventsOf(client, appNs, 'hostile')).find((e) => e.reason === 'InvalidPort'),
    );
    assert.match(warning.message ?? '', /secret-handshake\/port="3000\/\.\.\/x" is not a port number/);
    assert.equal((await getPod(client, appNs, 'hostile')).metadata.annotations?.['secret-handshake-done'], undefined);
  });

  test('a rotated suffix Secret is picked up without a restart', async () => {
    const key = { namespace: opsNs, name: 'suffix' };
    await client.patch(SECRETS, key, { stringData: { suffix: '-rotated' } } as Record<string, unknown>);
    const { mock, port } = await app({ suffix: '-rotated' });
    await runningPod('rotated', port);
    await waitHandshaken(client, appNs, 'rotated');
    assert.equal(mock.initialized, true);
    await client.patch(SECRETS, key, { stringData: { suffix: '-acknowledge' } } as Record<string, unknown>);
  });

  test('a Deployment labelled secret-handshake gets the label and the gate in its pod template, once', async () => {
    await client.create(
      DEPLOYMENTS,
      {
        metadata: { name: 'opt-in', labels: { 'secret-handshake': 'true' } },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'opt-in' } },
          template: { metadata: { labels: { app: 'opt-in' } }, spec: { containers: [{ name: 'app', image: 'legacy-mock' }] } },
        },
      } as unknown as KubeObject,
      { namespace: appNs },
    );
    type Dep = KubeObject & {
      spec: { template: { metadata: { labels: Record<string, string> }; spec: { readinessGates?: { conditionType: string }[] } } };
    };
    const dep = await eventually('the template opted in', async () => {
      const d = await client.get<Dep>(DEPLOYMENTS, { namespace: appNs, name: 'opt-in' });
      return d.spec.template.metadata.labels['secret-handshake'] === 'true' ? d : undefined;
    });
    assert.deepEqual(dep.spec.template.spec.readinessGates, [{ conditionType: GATE }]);
    assert.equal(dep.metadata.generation, 2);
    // The Event follows the write; exactly one write means exactly one opt-in Event.
    await eventually('one HandshakeOptIn Event', async () =>
      (await eventsOf(client, appNs, 'opt-in')).filter((e) => e.reason === 'HandshakeOptIn').length === 1 ? true : undefined,
    );
  });

  test('100 labelled pods created at once are all handshaken', async () => {
    const apps = await Promise.all(Array.from({ length: 100 }, () => app()));
    await Promise.all(apps.map(({ port }, i) => runningPod(`many-${i}`, port, { gated: i % 2 === 0 })));
    await eventually(
      '100 pods handshaken',
      async () => {
        const list = await client.list<KubeObject>(PODS, { namespace: appNs });
        const done = list.items.filter(
          (p) => p.metadata.name?.startsWith('many-') && p.metadata.annotations?.['secret-handshake-done'] === 'true',
        );
        return done.length === 100 ? true : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1000 },
    );
    assert.ok(apps.every(({ mock }) => mock.initialized));
    assert.ok(apps.every(({ mock }) => mock.stats.accepted >= 1));
  });
});
