// Behaviour: timers repeat per object; daemons run per object and are cancelled when it is deleted or stops matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../testing/index.js';
import { PRESENT } from '../index.js';
import { configMaps, harness } from './fixture.js';

test('timers tick per object and their patch is applied', async (t) => {
  const h = await harness(t, 'timer');
  const ticks: Record<string, number> = {};
  await h.start((o) => o.resource(configMaps).timer(100, (ctx) => {
    ticks[ctx.name] = (ticks[ctx.name] ?? 0) + 1;
    ctx.patch.metadata.annotations['example.com/ticks'] = String(ticks[ctx.name]);
  }, { labels: { ticking: PRESENT } }));
  await h.client.create(configMaps, { metadata: { name: 'a', namespace: h.ns, labels: { ticking: 'yes' } } });
  await h.client.create(configMaps, { metadata: { name: 'quiet', namespace: h.ns } });
  await waitUntil(() => (ticks.a ?? 0) >= 3, { message: 'three ticks' });
  await waitUntil(async () => Number((await h.client.get(configMaps, { namespace: h.ns, name: 'a' })).metadata.annotations?.['example.com/ticks'] ?? 0) >= 2);
  assert.equal(ticks.quiet, undefined, 'filters apply to timers');
});

test('a daemon runs per object and is cancelled on deletion and when its filter stops matching', async (t) => {
  const h = await harness(t, 'daemon');
  const running = new Set<string>();
  const cancelled: string[] = [];
  await h.start((o) => o.resource(configMaps).daemon(async (ctx) => {
    running.add(ctx.name);
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    running.delete(ctx.name);
    cancelled.push(ctx.name);
  }, { labels: { daemon: PRESENT } }));
  await h.client.create(configMaps, { metadata: { name: 'd1', namespace: h.ns, labels: { daemon: 'on' } } });
  await h.client.create(configMaps, { metadata: { name: 'd2', namespace: h.ns, labels: { daemon: 'on' } } });
  await waitUntil(() => running.has('d1') && running.has('d2'), { message: 'two daemons' });
  await h.client.delete(configMaps, { namespace: h.ns, name: 'd1' });
  await waitUntil(() => cancelled.includes('d1'), { message: 'the daemon of the deleted object cancelled' });
  assert.ok(running.has('d2'), 'the other daemon keeps running');
  await h.client.patch(configMaps, { namespace: h.ns, name: 'd2' }, { metadata: { labels: { daemon: null } } });
  await waitUntil(() => cancelled.includes('d2'), { message: 'the daemon cancelled when the filter stopped matching' });
});
