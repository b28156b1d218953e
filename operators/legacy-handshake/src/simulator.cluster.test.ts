// End to end on the local cluster's kubelet simulator: real legacy-mock processes on pod IPs, the shipped manifests.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { useTestCluster, kubectlPath } from '@capstan/localcluster';
import { ApiClient, type KubeObject } from 'capstan';
import { runOperatorInProcess, type RunningOperator } from 'capstan/testing';
import { createHandshakeOperator } from './operator.js';
import {
  conditionOf,
  createNamespace,
  createSuffixSecret,
  deleteNamespaces,
  DEPLOYMENTS,
  eventsOf,
  eventually,
  GATE,
  getPod,
  legacyPod,
  PODS,
  waitHandshaken,
  type PodObject,
} from './test-fixtures.js';

const cluster = await useTestCluster();
const skip = cluster.capabilities.simulatedKubelet ? false : 'needs the kubelet simulator (pods running as processes)';
const legacyMockDir = fileURLToPath(new URL('../../../deploy/legacy-mock', import.meta.url));

async function body(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: (await res.text()).trim() };
}

function podIP(pod: PodObject): string {
  const ip = pod.status?.podIP;
  assert.ok(ip, `${pod.metadata.name} has a pod IP`);
  return ip;
}

/** Running with an IP and the container started: the process is listening (or about to). */
function waitServing(client: ApiClient, namespace: string, name: string, timeoutMs = 120_000): Promise<PodObject> {
  return eventually(
    `${namespace}/${name} serving`,
    async () => {
      const pod = await getPod(client, namespace, name);
      if (pod.status?.phase !== 'Running' || !pod.status.podIP) return undefined;
      const res = await body(`http://${pod.status.podIP}:3000/health`).catch(() => undefined);
      return res?.status === 200 ? pod : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

async function labelledPods(client: ApiClient, namespace: string, selector: string): Promise<PodObject[]> {
  return (await client.list<PodObject>(PODS, { namespace, labelSelector: selector })).items.filter((p) => !p.metadata.deletionTimestamp);
}

describe('legacy-handshake on the kubelet simulator', { skip }, () => {
  let client: ApiClient;
  let appNs: string;
  let opsNs: string;
  let running: RunningOperator | undefined;

  before(async () => {
    client = await ApiClient.create(cluster.kubeconfigPath);
    [appNs, opsNs] = await Promise.all([createNamespace(client, 'hs-sim-app'), createNamespace(client, 'hs-sim-ops')]);
    await createSuffixSecret(client, opsNs, 'legacy-handshake-suffix', '-acknowledge');
  });

  after(async () => {
    await running?.stop();
    if (client) {
      await deleteNamespaces(client, [appNs, opsNs]);
      client.close();
    }
  });

  test('the shipped legacy-mock manifests make pods that answer 503 Uninitialized and are not Ready', async () => {
    // deploy/legacy-mock as shipped, moved into this test's namespace (the Namespace object itself is not needed).
    const rendered = execFileSync(kubectlPath(), ['kustomize', legacyMockDir], { encoding: 'utf8' });
    for (const doc of parseAllDocuments(rendered)) {
      const obj = doc.toJS() as KubeObject;
      if (obj.kind === 'Namespace' || obj.kind === 'Ingress') continue;
      const ref = obj.kind === 'Deployment' ? DEPLOYMENTS : { version: 'v1', kind: obj.kind ?? '' };
      await client.create(ref, { ...obj, metadata: { ...obj.metadata, namespace: appNs } }, { namespace: appNs });
    }
    const [pod] = await eventually('a legacy-mock pod', async () => {
      const pods = await labelledPods(client, appNs, 'app=legacy-mock');
      return pods.length > 0 ? pods : undefined;
    });
    assert.ok(pod);
    const serving = await waitServing(client, appNs, pod.metadata.name ?? '');
    assert.deepEqual(await body(`http://${podIP(serving)}:3000/`), { status: 503, text: 'Uninitialized' });
    assert.equal(conditionOf(serving, 'Ready'), 'False');
  });

  test('with the operator running, every labelled pod reaches It works!, is annotated and Ready through the gate', async () => {
    // An unlabelled legacy pod, present before the operator starts: it must stay uninitialised.
    await client.create(PODS, legacyPod('unlabelled', { labelled: false, gated: false }), { namespace: appNs });
    const handshake = createHandshakeOperator({
      suffixSecret: { namespace: opsNs, name: 'legacy-handshake-suffix', key: 'suffix' },
      timeoutMs: 2000,
      backoff: { baseMs: 500, capMs: 5000 },
    });
    running = await runOperatorInProcess(handshake, { kubeconfigPath: cluster.kubeconfigPath, namespaces: [appNs], level: 'info' });

    const [pod] = await labelledPods(client, appNs, 'app=legacy-mock,secret-handshake');
    assert.ok(pod, 'the Deployment pod carries the secret-handshake label');
    const name = pod.metadata.name ?? '';
    await waitHandshaken(client, appNs, name, 0, 120_000);
    const ready = await eventually('Ready through the gate', async () => {
      const p = await getPod(client, appNs, name);
      return conditionOf(p, GATE) === 'True' && conditionOf(p, 'Ready') === 'True' ? p : undefined;
    });
    assert.deepEqual(await body(`http://${podIP(ready)}:3000/`), { status: 200, text: 'It works!' });
    // Ready is what the EndpointSlice controller routes by. The slice itself cannot be checked here: the
    // simulator's pod IPs are loopback addresses, which the API server refuses in EndpointSlices.

    const unlabelled = await waitServing(client, appNs, 'unlabelled');
    assert.deepEqual(await body(`http://${podIP(unlabelled)}:3000/`), { status: 503, text: 'Uninitialized' });
    assert.equal(unlabelled.metadata.annotations?.['secret-handshake-done'], undefined);
  });

  test('a container restart (process killed) leads to a new handshake', async () => {
    const [pod] = await labelledPods(client, appNs, 'app=legacy-mock,secret-handshake');
    assert.ok(pod);
    const name = pod.metadata.name ?? '';
    const before = await waitHandshaken(client, appNs, name, 0);
    const containerID =
      before.status?.containerStatuses?.[0] && (before.status.containerStatuses[0] as { containerID?: string }).containerID;
    const pid = Number(/^capstan:\/\/(\d+)$/.exec(containerID ?? '')?.[1]);
    assert.ok(Number.isInteger(pid) && pid > 0, `a pid in containerID ${containerID}`);
    process.kill(pid, 'SIGKILL');
    const after = await waitHandshaken(client, appNs, name, 1, 120_000);
    assert.deepEqual(await body(`http://${podIP(after)}:3000/`), { status: 200, text: 'It works!' });
    await eventually('Ready again', async () => (conditionOf(await getPod(client, appNs, name), 'Ready') === 'True' ? true : undefined));
    await eventually('a Restarted Event', async () =>
      (await eventsOf(client, appNs, name)).some((e) => e.reason === 'Restarted') ? true : undefined,
    );
  });

  test('an app answering 500 at first is retried with backoff and reported by Events', async () => {
    await client.create(PODS, legacyPod('flaky', { env: { LEGACY_FAIL_FIRST_N: '2' } }), { namespace: appNs });
    const pod = await waitHandshaken(client, appNs, 'flaky', 0, 120_000);
    assert.deepEqual(await body(`http://${podIP(pod)}:3000/`), { status: 200, text: 'It works!' });
    // Both 500s were retried (the log has every attempt) and each reported by a Warning Event (failures 1
    // and 2; quiet retries while the app binds its port right after the start do not count as failures).
    const retried = running?.logs.filter((line) => line.includes('/flaky') && line.includes('answered HTTP 500')) ?? [];
    assert.equal(retried.length, 2, retried.join('\n'));
    const failures = await eventually('two HandshakeFailed Events', async () => {
      const found = (await eventsOf(client, appNs, 'flaky')).filter((e) => e.reason === 'HandshakeFailed');
      return found.length >= 2 ? found : undefined;
    });
    assert.ok(failures.every((e) => e.type === 'Warning' && /HTTP 500|ECONNREFUSED/.test(e.message ?? '')));
  });

  test('100 labelled pods created at once all complete', async () => {
    const count = 100;
    await Promise.all(
      Array.from({ length: count }, (_, i) => client.create(PODS, legacyPod(`bulk-${i}`, { gated: true }), { namespace: appNs })),
    );
    await eventually(
      `${count} pods handshaken and Ready`,
      async () => {
        const pods = (await labelledPods(client, appNs, 'secret-handshake')).filter((p) => p.metadata.name?.startsWith('bulk-'));
        const ready = pods.filter(
          (p) => p.metadata.annotations?.['secret-handshake-done'] === 'true' && conditionOf(p, 'Ready') === 'True',
        );
        return ready.length === count ? true : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 2000 },
    );
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        client.delete(PODS, { namespace: appNs, name: `bulk-${i}` }, { gracePeriodSeconds: 0 }).catch(() => undefined),
      ),
    );
  });
});
