// The operator as a process (main.ts) against the local control plane: probes, metrics, a handshake, SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, useTestCluster } from '@capstan/localcluster';
import { createLegacyMock, type LegacyMock } from '@capstan/legacy-mock';
import { ApiClient, type KubeObject } from 'capstan';
import { getProbe } from 'capstan/testing';
import {
  createFakeNode,
  createNamespace,
  createSuffixSecret,
  deleteNamespaces,
  eventually,
  fakeRunning,
  legacyPod,
  NODES,
  PODS,
  waitHandshaken,
} from './test-fixtures.js';

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let client: ApiClient;
let appNs: string;
let opsNs: string;
let fakeNode: string;
let mock: LegacyMock;
let child: ChildProcess;
let healthPort: number;
let stderr = '';
let exited: Promise<number | null>;

const probe = (path: string) => getProbe(`http://127.0.0.1:${healthPort}`, path);

before(async () => {
  const cluster = await useTestCluster();
  client = await ApiClient.create(cluster.kubeconfigPath);
  [appNs, opsNs] = await Promise.all([createNamespace(client, 'hs-main-app'), createNamespace(client, 'hs-main-ops')]);
  await createSuffixSecret(client, opsNs, 'suffix', '-acknowledge');
  fakeNode = await createFakeNode(client);
  mock = createLegacyMock({ port: 0, host: '127.0.0.1' });
  await mock.listen();
  healthPort = await freePort();
  child = spawn(
    process.execPath,
    [
      '--conditions=development',
      '--import',
      'tsx',
      main,
      '-n',
      appNs,
      '--suffix-secret',
      `${opsNs}/suffix`,
      '--timeout-ms',
      '2000',
      '--health-port',
      String(healthPort),
      '--health-host',
      '127.0.0.1',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--lease-namespace',
      opsNs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', POD_NAME: 'hs-main-test' } },
  );
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
});

after(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await mock.close({ graceMs: 0 });
  await deleteNamespaces(client, [appNs, opsNs]);
  await client.delete(NODES, { name: fakeNode }).catch(() => undefined);
  client.close();
});

test('the process serves probes, leads via its Lease, handshakes a pod, counts it in /metrics and stops cleanly on SIGTERM', async () => {
  await eventually('/healthz ok', async () => ((await probe('/healthz'))?.status === 200 ? true : undefined), { timeoutMs: 60_000 });
  await eventually('/readyz ok', async () => ((await probe('/readyz'))?.status === 200 ? true : undefined), { timeoutMs: 60_000 });
  const holder = await eventually(
    'the Lease legacy-handshake-operator held',
    async () => {
      const lease = await client
        .get<KubeObject & { spec?: { holderIdentity?: string } }>(LEASES, { namespace: opsNs, name: 'legacy-handshake-operator' })
        .catch(() => undefined);
      return lease?.spec?.holderIdentity;
    },
    { timeoutMs: 60_000 },
  );
  assert.match(holder, /^hs-main-test/);

  const port = Number(new URL(mock.url).port);
  await client.create(PODS, legacyPod('proc', { nodeName: fakeNode, annotations: { 'secret-handshake/port': String(port) } }), {
    namespace: appNs,
  });
  await fakeRunning(client, appNs, 'proc', 0);
  await waitHandshaken(client, appNs, 'proc');
  assert.equal(mock.initialized, true);
  const metrics = await probe('/metrics');
  assert.match(metrics?.text ?? '', /^legacy_handshake_succeeded_total 1$/m);
  assert.match(metrics?.text ?? '', /^capstan_handler_runs_total\{.*outcome="success".*\} [1-9]/m);

  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  const lines = stderr.trim().split('\n');
  assert.ok(
    lines.every((line) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    }),
    'every log line is JSON',
  );
  assert.ok(lines.some((line) => /"msg":"stopping"/.test(line)));
  assert.ok(!stderr.includes('-acknowledge'), 'the suffix is never logged');
});
