// Behaviour: finalizers added without clobbering others, removed only after delete handlers succeed,
// objects deleted before the finalizer landed, optional delete handlers without finalizers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, waitUntil } from '../testing/index.js';
import { TemporaryError } from '../index.js';
import { harness, widgets, type Widget } from './fixture.js';

const ours = (f: string) => f.endsWith('.capstan.dev/finalizer');

test('the finalizer joins foreign ones and leaves only after the delete handler succeeded', async (t) => {
  const h = await harness(t, 'fin', { crd: true });
  let attempts = 0;
  await h.start((o) =>
    o.resource<Widget>(widgets).on.delete(function cleanup(ctx) {
      attempts++;
      if (ctx.retry < 1) throw new TemporaryError('cleanup not possible yet', { delayMs: 100 });
    }),
  );
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns, finalizers: ['example.com/keep'] }, spec: {} });
  const withOurs = await waitFor<Widget>(
    h.client,
    { resource: widgets, namespace: h.ns, name: 'w' },
    (o) => !!o?.metadata.finalizers?.some(ours),
  );
  assert.deepEqual(withOurs?.metadata.finalizers?.[0], 'example.com/keep', 'the foreign finalizer is kept, ours appended');
  await h.client.delete(widgets, { namespace: h.ns, name: 'w' });
  const released = await waitFor<Widget>(
    h.client,
    { resource: widgets, namespace: h.ns, name: 'w' },
    (o) => !o?.metadata.finalizers?.some(ours),
  );
  assert.equal(attempts, 2, 'the first failed attempt kept the finalizer; the retry released it');
  assert.deepEqual(released?.metadata.finalizers, ['example.com/keep']);
  await h.client.patch(widgets, { namespace: h.ns, name: 'w' }, { metadata: { finalizers: null } });
  await waitFor(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !o);
});

test('objects deleted before the finalizer landed get their delete handlers once, without errors', async (t) => {
  const h = await harness(t, 'finearly', { crd: true });
  // Deleted while no operator runs: held only by a foreign finalizer, so ours can never be added.
  await h.client.create(widgets, { metadata: { name: 'early', namespace: h.ns, finalizers: ['example.com/hold'] }, spec: {} });
  await h.client.delete(widgets, { namespace: h.ns, name: 'early' });
  const deleted: string[] = [];
  const op = await h.start((o) => o.resource<Widget>(widgets).on.delete((ctx) => void deleted.push(ctx.name)));
  await waitUntil(() => deleted.includes('early'), { message: 'the delete handler for the early-deleted object' });
  await h.settled(op, widgets, 'early');
  const obj = await h.client.get(widgets, { namespace: h.ns, name: 'early' });
  assert.deepEqual(obj.metadata.finalizers, ['example.com/hold'], 'no finalizer added to an object being deleted');
  assert.equal(deleted.length, 1);
  assert.ok(!op.logs.some((l) => / (WARN|ERROR) /.test(l)), `no warnings: ${op.logs.filter((l) => / (WARN|ERROR) /.test(l)).join('\n')}`);
  await h.client.patch(widgets, { namespace: h.ns, name: 'early' }, { metadata: { finalizers: null } });
});

test('optional delete handlers add no finalizer and still run on deletion', async (t) => {
  const h = await harness(t, 'finopt', { crd: true });
  const deleted: string[] = [];
  const op = await h.start((o) => o.resource<Widget>(widgets).on.delete((ctx) => void deleted.push(ctx.name), { optional: true }));
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: {} });
  const settled = await h.settled(op, widgets, 'w');
  assert.equal(settled.metadata.finalizers, undefined);
  assert.equal(op.counters.writes, 0, 'nothing written for an object with only an optional delete handler');
  await h.client.delete(widgets, { namespace: h.ns, name: 'w' });
  await waitUntil(() => deleted.includes('w'));
});

test('only objects a delete handler applies to get the finalizer', async (t) => {
  const h = await harness(t, 'finfilter', { crd: true });
  const op = await h.start((o) => o.resource<Widget>(widgets).on.delete(() => undefined, { labels: { guarded: 'yes' } }));
  await h.client.create(widgets, { metadata: { name: 'guarded', namespace: h.ns, labels: { guarded: 'yes' } }, spec: {} });
  await h.client.create(widgets, { metadata: { name: 'free', namespace: h.ns }, spec: {} });
  await waitFor<Widget>(h.client, { resource: widgets, namespace: h.ns, name: 'guarded' }, (o) => !!o?.metadata.finalizers?.some(ours));
  const free = await h.settled(op, widgets, 'free');
  assert.equal(free.metadata.finalizers, undefined);
});

test("the reconciler's finalizer option names the finalizer its cleanup runs under", async (t) => {
  const h = await harness(t, 'finname', { crd: true });
  const cleaned: string[] = [];
  await h.start((o) =>
    o.resource<Widget>(widgets).reconcile(
      {
        apply: () => undefined,
        cleanup: (ctx) => void cleaned.push(ctx.name),
      },
      { finalizer: 'example.com/widget-cleanup' },
    ),
  );
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: {} });
  const held = await waitFor<Widget>(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !!o?.metadata.finalizers?.length);
  assert.deepEqual(held?.metadata.finalizers, ['example.com/widget-cleanup'], 'the named finalizer, not the operator default');
  await h.client.delete(widgets, { namespace: h.ns, name: 'w' });
  await waitFor(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !o);
  assert.deepEqual(cleaned, ['w']);
});
