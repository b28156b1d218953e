// The operator as a process (main.ts) against the local control plane: capstan probes and metrics, the leader Lease, SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, useTestCluster } from '@capstan/localcluster';
import { ApiClient, type KubeObject } from 'capstan';
import { getProbe } from 'capstan/testing';
import { createNamespace, deleteNamespaces, eventually, installCrd } from './test-fixtures.js';

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let client: ApiClient;
let ns: string;
let child: ChildProcess;
let healthPort: number;
let stderr = '';
let exited: Promise<number | null>;

const probe = (path: string) => getProbe(`http://127.0.0.1:${healthPort}`, path);

before(async () => {
  const cluster = await useTestCluster();
  client = await ApiClient.create(cluster.kubeconfigPath);
  await installCrd(client);
  ns = await createNamespace(client, 'as-main');
  healthPort = await freePort();
  child = spawn(
    process.execPath,
    [
      '--conditions=development',
      '--import',
      'tsx',
      main,
      '-n',
      ns,
      '--no-default-identity',
      '--lease-namespace',
      ns,
      '--health-port',
      String(healthPort),
      '--health-host',
      '127.0.0.1',
      '--kubeconfig',
      cluster.kubeconfigPath,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', POD_NAME: 'agesecret-main-test' },
    },
  );
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
});

after(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await deleteNamespaces(client, [ns]);
  client.close();
});

test('the process serves capstan probes and metrics, holds its Lease, and stops cleanly on SIGTERM', async () => {
  await eventually('/healthz ok', async () => ((await probe('/healthz'))?.status === 200 ? true : undefined), 60_000);
  let readyz: { status: number; text: string } | undefined;
  await eventually(
    '/readyz ok',
    async () => {
      readyz = await probe('/readyz?verbose');
      return readyz?.status === 200 ? true : undefined;
    },
    60_000,
  ).catch((error: unknown) => {
    throw new Error(`/readyz: ${readyz?.status} ${readyz?.text}\n${stderr.slice(-2000)}`, { cause: error });
  });
  const metrics = await probe('/metrics');
  assert.equal(metrics?.status, 200);
  assert.match(metrics?.text ?? '', /^capstan_resource_synced\{.*\} 1$/m);
  const lease = await eventually(
    'the Lease agesecret-operator',
    async () => {
      const found = await client
        .get<KubeObject & { spec?: { holderIdentity?: string } }>(LEASES, { namespace: ns, name: 'agesecret-operator' })
        .catch(() => undefined);
      return found?.spec?.holderIdentity ? found : undefined;
    },
    60_000,
  );
  assert.match(lease.spec?.holderIdentity ?? '', /^agesecret-main-test/);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /"msg":"stopping"/);
});
