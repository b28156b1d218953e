// Behaviour: timers repeat per object; daemons run per object and are cancelled when it is deleted or stops matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../testing/index.js';
import { PRESENT } from '../index.js';
import { configMaps, harness } from './fixture.js';

test('timers tick per object and their patch is applied', async (t) => {
  const h = await harness(t, 'timer');
  const ticks: Record<string, number> = {};
  await h.start((o) =>
    o.resource(configMaps).timer(
      100,
      (ctx) => {
        ticks[ctx.name] = (ticks[ctx.name] ?? 0) + 1;
        ctx.patch.metadata.annotations['example.com/ticks'] = String(ticks[ctx.name]);
      },
      { labels: { ticking: PRESENT } },
    ),
  );
  await h.client.create(configMaps, { metadata: { name: 'a', namespace: h.ns, labels: { ticking: 'yes' } } });
  await h.client.create(configMaps, { metadata: { name: 'quiet', namespace: h.ns } });
  await waitUntil(() => (ticks.a ?? 0) >= 3, { message: 'three ticks' });
  await waitUntil(
    async () =>
      Number((await h.client.get(configMaps, { namespace: h.ns, name: 'a' })).metadata.annotations?.['example.com/ticks'] ?? 0) >= 2,
  );
  assert.equal(ticks.quiet, undefined, 'filters apply to timers');
});

test('a daemon runs per object and is cancelled on deletion and when its filter stops matching', async (t) => {
  const h = await harness(t, 'daemon');
  const running = new Set<string>();
  const cancelled: string[] = [];
  await h.start((o) =>
    o.resource(configMaps).daemon(
      async (ctx) => {
        running.add(ctx.name);
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        running.delete(ctx.name);
        cancelled.push(ctx.name);
      },
      { labels: { daemon: PRESENT } },
    ),
  );
  await h.client.create(configMaps, { metadata: { name: 'd1', namespace: h.ns, labels: { daemon: 'on' } } });
  await h.client.create(configMaps, { metadata: { name: 'd2', namespace: h.ns, labels: { daemon: 'on' } } });
  await waitUntil(() => running.has('d1') && running.has('d2'), { message: 'two daemons' });
  await h.client.delete(configMaps, { namespace: h.ns, name: 'd1' });
  await waitUntil(() => cancelled.includes('d1'), { message: 'the daemon of the deleted object cancelled' });
  assert.ok(running.has('d2'), 'the other daemon keeps running');
  await h.client.patch(configMaps, { namespace: h.ns, name: 'd2' }, { metadata: { labels: { daemon: null } } });
  await waitUntil(() => cancelled.includes('d2'), { message: 'the daemon cancelled when the filter stopped matching' });
});

test('a timer with idleMs fires only once the object has been unchanged for idleMs; each change postpones it', async (t) => {
  const h = await harness(t, 'timeridle');
  const idleMs = 1500;
  // When the test sent change n (before the request: the operator cannot have seen it earlier).
  const sentAt: number[] = [];
  const ticks: { n: number; at: number }[] = [];
  await h.start((o) =>
    o.resource(configMaps).timer(
      100,
      (ctx) => {
        // Timers see the latest cached object: the change this tick comes after.
        if (ctx.name === 'busy') ticks.push({ n: Number((ctx.body as { data?: { n?: string } }).data?.n), at: Date.now() });
      },
      { idleMs },
    ),
  );
  sentAt.push(Date.now());
  await h.client.create(configMaps, { metadata: { name: 'busy', namespace: h.ns }, data: { n: '0' } });
  // Changes closer together than idleMs (on a normal machine): each one pushes the timer further away.
  for (let n = 1; n <= 5; n++) {
    await new Promise((resolve) => setTimeout(resolve, idleMs / 4)); // pacing the changes, not synchronising
    sentAt.push(Date.now());
    await h.client.patch(configMaps, { namespace: h.ns, name: 'busy' }, { data: { n: String(n) } });
  }
  await waitUntil(() => ticks.some((tk) => tk.n === 5), { message: 'a tick after the last change' });
  for (const tk of ticks) {
    assert.ok(
      tk.at >= sentAt[tk.n]! + idleMs,
      `tick ${tk.at} after change ${tk.n} came ${tk.at - sentAt[tk.n]!} ms after it (< idleMs ${idleMs})`,
    );
  }
  const lastChangeTicks = ticks.filter((tk) => tk.n === 5).length;
  await waitUntil(() => ticks.filter((tk) => tk.n === 5).length >= lastChangeTicks + 2, {
    message: 'the timer keeps its interval once idle',
  });
});
