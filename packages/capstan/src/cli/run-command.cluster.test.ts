// `capstan run` end to end: the bin launcher runs an operator module against the cluster and stops cleanly on SIGTERM; --dev.
import { test, type TestContext } from 'node:test';
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

/** Start `capstan run` as a child process; its output accumulates; killed after the test. */
function spawnCli(t: TestContext, args: string[]) {
  const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  const run = { child, output: '', exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout.on('data', (d) => (run.output += d));
  child.stderr.on('data', (d) => (run.output += d));
  return run;
}

async function namespaceFor(t: TestContext, prefix: string) {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  const ns = await uniqueNamespace(client, prefix);
  t.after(() => deleteNamespace(client, ns));
  return { cluster, client, ns };
}

test('capstan run <module.ts> -n NS logs JSON lines and exits 0 on SIGTERM', async (t) => {
  const { cluster, client, ns } = await namespaceFor(t, 'cli');
  const port = await freePort();
  const cli = spawnCli(t, [
    example,
    '-n',
    ns,
    '--kubeconfig',
    cluster.kubeconfigPath,
    '--log-format',
    'json',
    '--liveness',
    `http://127.0.0.1:${port}/healthz`,
  ]);

  await waitUntil(() => cli.output.includes('operator started'), {
    message: `the operator to start; output so far:\n${cli.output}`,
    timeoutMs: 60_000,
  });
  await client.create({ version: 'v1', plural: 'configmaps' }, { metadata: { name: 'from-cli-test', namespace: ns } });
  const line = await waitUntil(() => cli.output.split('\n').find((l) => l.includes('from-cli-test') && l.includes('configmap added')), {
    message: 'the event log line',
  });
  const record = JSON.parse(line) as { level: string; msg: string; object: string };
  const live = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(live.status, 200);
  assert.equal(record.level, 'info');
  assert.equal(record.object, `${ns}/from-cli-test`);
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0, cli.output);
  assert.match(cli.output, /operator stopped/);
});

test('capstan run --dev: plain-text logs at debug level, and no leader election even when a Lease namespace is given', async (t) => {
  const { cluster, client, ns } = await namespaceFor(t, 'clidev');
  const cli = spawnCli(t, [example, '--dev', '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--lease-namespace', ns]);
  await waitUntil(() => cli.output.includes('operator started'), {
    message: `the operator to start; output so far:\n${cli.output}`,
    timeoutMs: 60_000,
  });
  await client.create({ version: 'v1', plural: 'configmaps' }, { metadata: { name: 'from-dev-test', namespace: ns } });
  const line = await waitUntil(() => cli.output.split('\n').find((l) => l.includes('from-dev-test') && l.includes('configmap added')), {
    message: `the event log line; output so far:\n${cli.output}`,
  });
  assert.match(line, /^\d{4}-\d\d-\d\dT\S+Z INFO  configmap added /, 'plain text, not JSON');
  assert.ok(
    cli.output.split('\n').some((l) => / DEBUG /.test(l)),
    `debug lines are shown:\n${cli.output}`,
  );
  // The object was handled, so an elected operator would hold its Lease by now.
  const leases = await client.list({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases' }, { namespace: ns });
  assert.deepEqual(
    leases.items.map((l) => l.metadata.name),
    [],
    '--dev runs standalone: no Lease taken',
  );
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0, cli.output);
});
