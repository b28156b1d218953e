// Behaviour: watches restart after the server ends them and after a stall, and keep delivering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../testing/index.js';
import { configMaps, harness } from './fixture.js';

test('the watch restarts after each server-side timeout and keeps delivering changes', async (t) => {
  const h = await harness(t, 'restart');
  const created: string[] = [];
  const op = await h.start((o) => o.resource(configMaps).on.event((ctx) => void created.push(`${ctx.event?.type}:${ctx.name}`)), {
    watch: { timeoutSeconds: 1 },
  });
  await waitUntil(() => op.counters.watchRestarts.filter((r) => r === 'ended').length >= 2, {
    message: 'two restarts after the stream ended',
  });
  await h.client.create(configMaps, { metadata: { name: 'after-restarts', namespace: h.ns } });
  await waitUntil(() => created.includes('ADDED:after-restarts'), { message: 'an event after the restarts' });
  assert.ok(!op.logs.some((l) => / ERROR /.test(l)));
});

test('a stalled stream (no events, no bookmarks) is restarted', async (t) => {
  const h = await harness(t, 'stall');
  const seen: string[] = [];
  const op = await h.start((o) => o.resource(configMaps).on.event((ctx) => void seen.push(ctx.name)), {
    watch: { timeoutSeconds: 600, inactivityMs: 500 },
  });
  await waitUntil(() => op.counters.watchRestarts.includes('stalled'), { message: 'a restart of the silent stream' });
  await h.client.create(configMaps, { metadata: { name: 'after-stall', namespace: h.ns } });
  await waitUntil(() => seen.includes('after-stall'));
});
