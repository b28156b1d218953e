// Behaviour: 410 Gone from the real API server (etcd compacted while the operator could not watch): re-list, nothing missed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ControlPlaneFaults, startLocalCluster } from '@capstan/localcluster';
import { ApiClient, createOperator, type KubeObject } from '../index.js';
import { runOperatorInProcess, uniqueNamespace, waitUntil } from '../testing/index.js';
import { configMaps } from './fixture.js';

/** A TCP proxy to the API server that the test can cut: while cut, every connection is dropped at once. */
async function cuttableProxy(target: URL): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const open = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((inbound) => {
    if (cut) {
      inbound.destroy();
      return;
    }
    const outbound = connect(Number(target.port), target.hostname);
    for (const s of [inbound, outbound]) {
      open.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        open.delete(s);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    cut() {
      cut = true;
      for (const s of open) s.destroy();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// Against an existing cluster (CAPSTAN_EXISTING_CLUSTER=1) the local binaries may be absent and etcd is out of reach.
const skip = process.env.CAPSTAN_EXISTING_CLUSTER === '1' ? 'needs a local control plane to compact etcd' : false;

test(
  '410 Gone after etcd compaction: the operator re-lists, synthesises the deletion, and misses no create or update',
  { timeout: 600_000, skip },
  async (t) => {
    // A private cluster: compaction and an API server restart would disturb the other files' watches on a shared one.
    const cluster = await startLocalCluster({ kubelet: false, timeoutMs: 180_000 });
    const faults = new ControlPlaneFaults(cluster);
    t.after(async () => {
      await faults.close();
      await cluster.stop();
    });
    // With the watch cache, the API server answers old versions from memory; without it, straight from etcd: Gone once compacted.
    await faults.restartApiServer({ extraArgs: ['--watch-cache=false'] });
    const client = await ApiClient.create({ path: cluster.kubeconfigPath });
    t.after(() => client.close());
    const ns = await uniqueNamespace(client, 'gone');

    const proxy = await cuttableProxy(new URL(cluster.server));
    t.after(() => proxy.close());
    const proxied = join(cluster.dir, 'proxied-kubeconfig.yaml');
    writeFileSync(proxied, readFileSync(cluster.kubeconfigPath, 'utf8').replaceAll(cluster.server, proxy.url));

    const events: string[] = [];
    const restarts: string[] = [];
    const op = createOperator({
      name: 'test-gone',
      events: false,
      watch: { backoff: { baseMs: 100, capMs: 500 } },
      hooks: { watchRestart: (info) => void restarts.push(info.reason) },
    });
    op.resource<KubeObject & { data?: { v?: string } }>(configMaps).on.event(
      (ctx) => void events.push(`${ctx.event?.type}:${ctx.name}:${ctx.body.data?.v ?? ''}`),
    );
    const running = await runOperatorInProcess(op, { kubeconfigPath: proxied, namespaces: [ns] });
    t.after(() => running.stop());

    for (const name of ['stays', 'vanishes', 'changes'])
      await client.create(configMaps, { metadata: { name, namespace: ns }, data: { v: '1' } });
    await waitUntil(() => ['stays', 'vanishes', 'changes'].every((n) => events.includes(`ADDED:${n}:1`)), {
      message: 'the operator saw the first objects',
    });

    // Cut the operator off, change things it cannot see, and compact the history it would resume from.
    proxy.cut();
    await client.create(configMaps, { metadata: { name: 'appears', namespace: ns }, data: { v: '1' } });
    await client.patch(configMaps, { namespace: ns, name: 'changes' }, { data: { v: '2' } });
    await client.delete(configMaps, { namespace: ns, name: 'vanishes' });
    await faults.compactEtcd();
    const seenBefore = events.length;
    proxy.restore();

    await waitUntil(() => restarts.includes('gone'), { message: 'a watch restarted after 410 Gone', timeoutMs: 60_000 });
    await waitUntil(() => events.includes('DELETED:vanishes:1'), {
      message: `the deletion synthesised by the re-list; events: ${events.join(' ')}`,
    });
    await waitUntil(() => events.includes('ADDED:appears:1'), { message: 'the object created meanwhile' });
    await waitUntil(() => events.some((e) => e.startsWith('MODIFIED:changes:2')), { message: 'the update made meanwhile' });
    assert.ok(running.logs.some((l) => l.includes('watch resourceVersion expired (410); re-listing')));
    assert.ok(
      !events.slice(seenBefore).some((e) => e.startsWith('ADDED:stays') || e.startsWith('MODIFIED:stays')),
      'the unchanged object is not replayed',
    );

    // Watching continues normally after the re-list.
    await client.create(configMaps, { metadata: { name: 'after', namespace: ns }, data: { v: '1' } });
    await waitUntil(() => events.includes('ADDED:after:1'), { message: 'an event after the re-list' });
  },
);
