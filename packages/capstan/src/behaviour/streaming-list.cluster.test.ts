// Behaviour: the reflector's streaming list against the real API server: one watch request lists and then watches, same store as paged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../client/surface.js';
import type { KubeObject, ResolvedResource } from '../structs/objects.js';
import { deleteNamespace, uniqueNamespace, waitUntil } from '../testing/index.js';
import { silentLogger } from '../core/logging.js';
import { Reflector, type StoreEvent } from '../core/engine/reflector.js';
import type { WatchSettings } from '../core/types.js';

const configmaps = { version: 'v1', plural: 'configmaps' } as const;

test('streaming and paged lists sync the same objects; the stream then watches on; a label selector applies to both', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  const ns = await uniqueNamespace(client, 'stream-list');
  t.after(async () => {
    await deleteNamespace(client, ns);
    client.close();
  });
  for (let i = 0; i < 30; i++) {
    await client.create(
      configmaps,
      { metadata: { name: `cm-${i}`, namespace: ns, labels: { parity: i % 2 ? 'odd' : 'even' } } },
      { namespace: ns },
    );
  }
  const resource = (await client.resolve(configmaps)) as ResolvedResource;
  const requests: string[] = [];
  const observed = await ApiClient.create({ path: cluster.kubeconfigPath }, { observer: (info) => void requests.push(info.verb) });
  t.after(() => observed.close());

  const start = (listMode: WatchSettings['listMode'], labelSelector?: string) => {
    const store = new Map<string, KubeObject>();
    const events: StoreEvent[] = [];
    let synced = false;
    const reflector = new Reflector({
      client: observed,
      resource,
      namespace: ns,
      store,
      labelSelector,
      logger: silentLogger,
      watch: { listMode },
      onEvent: (e) => void events.push(e),
      onSynced: () => void (synced = true),
    });
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    t.after(async () => {
      controller.abort();
      await running;
    });
    return { store, events, reflector, synced: () => synced };
  };

  requests.length = 0;
  const streamed = start('auto');
  await waitUntil(() => streamed.synced(), { message: 'the streaming list to sync' });
  assert.equal(streamed.reflector.stats.streamedLists, 1, 'the current server streams lists');
  // (The observer reports a request when it ends: the open watch is not in the list yet.)
  assert.deepEqual(
    requests.filter((verb) => verb !== 'discover'),
    [],
    'no list request',
  );
  const paged = start('paged');
  await waitUntil(() => paged.synced(), { message: 'the paged list to sync' });
  assert.equal(paged.reflector.stats.streamedLists, 0);
  assert.deepEqual([...streamed.store.keys()].sort(), [...paged.store.keys()].sort());
  assert.equal([...streamed.store.keys()].filter((k) => k.startsWith(`${ns}/cm-`)).length, 30, 'ours (kube-root-ca.crt is there too)');
  assert.ok(
    streamed.events.every((e) => e.initial && e.listed && e.type === 'ADDED'),
    'the initial events arrive as one list',
  );
  assert.equal(streamed.store.get(`${ns}/cm-0`)?.kind, 'ConfigMap', 'typed like a listed object');

  // The same stream goes on as the watch: a change arrives without a new list.
  await client.patch(configmaps, { namespace: ns, name: 'cm-3' }, { data: { changed: 'yes' } }, { type: 'merge' });
  await waitUntil(() => streamed.events.some((e) => e.type === 'MODIFIED' && !e.listed && e.object.metadata.name === 'cm-3'), {
    message: 'the change on the stream',
  });
  assert.equal(streamed.reflector.stats.lists, 1, 'no second list');

  const odd = start('stream', 'parity=odd');
  await waitUntil(() => odd.synced(), { message: 'the filtered streaming list to sync' });
  assert.equal(odd.store.size, 15);
  assert.ok([...odd.store.values()].every((o) => o.metadata.labels?.['parity'] === 'odd'));
});
