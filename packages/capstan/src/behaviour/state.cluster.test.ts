// Behaviour: persisted progress survives restarts, compact state on big objects, no write when nothing changed, no ping-pong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, waitUntil } from '../testing/index.js';
import { TemporaryError, type KubeObject } from '../index.js';
import { configMaps, harness, widgets, type Widget } from './fixture.js';

test("a reconcile that changes nothing writes nothing, and the operator's own writes trigger no new round", async (t) => {
  const h = await harness(t, 'noop', { crd: true });
  let applies = 0;
  const op = await h.start((o) =>
    o.resource<Widget>(widgets).reconcile({
      apply(ctx) {
        applies++;
        ctx.patch.status.observed = ctx.spec?.n ?? 0;
      },
    }),
  );
  const created = await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: { n: 1 } });
  const settled = await h.settled(op, widgets, 'w');
  assert.equal((settled as Widget).status?.observed, 1);
  assert.equal(applies, 1, 'the status write did not cause another apply (no ping-pong)');
  assert.equal(op.counters.writes, 1, 'exactly one write: the status');
  assert.equal(BigInt(settled.metadata.resourceVersion!) > BigInt(created.metadata.resourceVersion!), true);

  // Re-trigger with a change the reconciler's output does not depend on: apply runs, its patch is a no-op, no write.
  await h.client.patch(widgets, { namespace: h.ns, name: 'w' }, { metadata: { labels: { touched: 'yes' } } });
  const touched = await h.settled(op, widgets, 'w');
  assert.equal(applies, 2);
  assert.equal(op.counters.writes, 1, 'a no-op reconcile makes 0 API writes');
  const again = await h.client.get(widgets, { namespace: h.ns, name: 'w' });
  assert.equal(again.metadata.resourceVersion, touched.metadata.resourceVersion);
});

test('handler progress persists across a restart: done handlers are not re-run, failed ones continue', async (t) => {
  const h = await harness(t, 'restart', { crd: true });
  const runs: string[] = [];
  const register = (fail: boolean) => (o: import('../index.js').Operator) => {
    const w = o.resource<Widget>(widgets);
    w.on.create(function first(ctx) {
      runs.push(`first:${ctx.retry}`);
    });
    w.on.create(function second(ctx) {
      runs.push(`second:${ctx.retry}`);
      if (fail) throw new TemporaryError('later', { delayMs: 100 });
    });
  };
  const one = await h.start(register(true));
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: {} });
  await waitFor<Widget>(
    h.client,
    { resource: widgets, namespace: h.ns, name: 'w' },
    (o) => Object.values(o?.metadata.annotations ?? {}).some((a) => a.includes('"second":{"r":1')),
    { message: 'progress of the failed handler persisted' },
  );
  await one.stop();
  const before = runs.length;
  assert.equal(runs.filter((r) => r.startsWith('first')).length, 1);

  await h.start(register(false));
  await waitUntil(() => runs.slice(before).some((r) => r.startsWith('second:') && r !== 'second:0'), {
    message: 'the second handler retried after the restart',
  });
  assert.equal(runs.filter((r) => r.startsWith('first')).length, 1, 'the finished handler did not run again');
  const done = await waitFor(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) =>
    Object.values(o?.metadata.annotations ?? {}).some((a) => a.startsWith('{"v":1,"h":') && !a.includes('"p":')),
  );
  assert.ok(done);
});

test('state stays compact on a big object (kopf #1087)', async (t) => {
  const h = await harness(t, 'bigobj');
  let updates = 0;
  const op = await h.start((o) => {
    const cms = o.resource(configMaps);
    cms.on.create(() => undefined);
    cms.on.update(() => void updates++);
  });
  await h.client.create(configMaps, { metadata: { name: 'big', namespace: h.ns }, data: { blob: 'x'.repeat(600 * 1024) } } as KubeObject);
  const handled = await waitFor(h.client, { resource: configMaps, namespace: h.ns, name: 'big' }, (o) =>
    Object.keys(o?.metadata.annotations ?? {}).some((k) => k.endsWith('.capstan.dev/last-handled')),
  );
  const state = Object.entries(handled!.metadata.annotations!).find(([k]) => k.endsWith('.capstan.dev/last-handled'))![1];
  assert.ok(state.length < 200, `the state annotation is ${state.length} bytes`);
  await h.client.patch(configMaps, { namespace: h.ns, name: 'big' }, { data: { blob: 'y'.repeat(600 * 1024) } });
  await waitUntil(() => updates === 1, { message: 'the update of the big object' });
  await h.settled(op, configMaps, 'big');
  assert.equal(updates, 1);
});
