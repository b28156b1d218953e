// `capstan run` end to end: the bin launcher runs an operator module against the cluster and stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../client/surface.js';
import { deleteNamespace, uniqueNamespace, waitUntil } from '../testing/index.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', 'bin', 'capstan.mjs');
const example = join(here, '..', '..', '..', '..', 'examples', '01-controller', 'operator.ts');

test('capstan run <module.ts> -n NS logs JSON lines and exits 0 on SIGTERM', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  const ns = await uniqueNamespace(client, 'cli');
  t.after(() => deleteNamespace(client, ns));

  const port = await freePort();
  const child = spawn(process.execPath, [
    bin, 'run', example, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--log-format', 'json', '--liveness', `http://127.0.0.1:${port}/healthz`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  await waitUntil(() => output.includes('operator started'), { message: `the operator to start; output so far:\n${output}`, timeoutMs: 60_000 });
  await client.create({ version: 'v1', plural: 'configmaps' }, { metadata: { name: 'from-cli-test', namespace: ns } });
  const line = await waitUntil(() => output.split('\n').find((l) => l.includes('from-cli-test') && l.includes('configmap added')), { message: 'the event log line' });
  const record = JSON.parse(line) as { level: string; msg: string; object: string };
  const live = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(live.status, 200);
  assert.equal(record.level, 'info');
  assert.equal(record.object, `${ns}/from-cli-test`);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  assert.match(output, /operator stopped/);
});
