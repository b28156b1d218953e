// Behaviour: create/update/field/delete/event/resume handlers, the handler context, return values into status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, waitUntil } from '../testing/index.js';
import type { HandlerContext } from '../index.js';
import { harness, widgets, type Widget } from './fixture.js';

test('create, update, field and delete handlers see the right context; return values land in status', async (t) => {
  const h = await harness(t, 'handlers', { crd: true });
  const seen: { cause: string; old?: unknown; new?: unknown; diff?: unknown; retry: number }[] = [];
  let frozen = false;
  const op = await h.start((o) => {
    const w = o.resource<Widget>(widgets);
    w.on.create(function created(ctx) {
      seen.push({ cause: 'create', retry: ctx.retry });
      try {
        (ctx.body.spec as { n?: number }).n = 99;
      } catch {
        frozen = true; // bodies are read-only snapshots
      }
      ctx.patch.metadata.labels.handled = 'yes';
      return { size: ctx.spec?.n };
    });
    w.on.update(function updated(ctx) {
      seen.push({ cause: 'update', old: ctx.old, new: ctx.new, diff: ctx.diff, retry: ctx.retry });
    });
    w.on.field('spec.text', function textChanged(ctx) {
      seen.push({ cause: 'field', old: ctx.old, new: ctx.new, retry: ctx.retry });
    });
    w.on.delete(function deleted(ctx: HandlerContext<Widget>) {
      seen.push({ cause: 'delete', retry: ctx.retry });
    });
  });
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: { n: 1 } });
  const created = await waitFor<Widget>(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !!o?.status?.created);
  assert.deepEqual(created?.status?.created, { size: 1 }, 'the return value is stored in status[id]');
  assert.equal(created?.metadata.labels?.handled, 'yes', 'ctx.patch applied');
  assert.ok(
    created?.metadata.finalizers?.some((f) => f.endsWith('.capstan.dev/finalizer')),
    'a finalizer for the delete handler',
  );
  assert.ok(frozen, 'mutating ctx.body throws');
  await h.settled(op, widgets, 'w');
  assert.deepEqual(
    seen.map((s) => s.cause),
    ['create'],
    "the operator's own label patch is not an update (no ping-pong)",
  );

  await h.client.patch(widgets, { namespace: h.ns, name: 'w' }, { spec: { n: 2 } });
  await waitUntil(() => seen.some((s) => s.cause === 'update'), { message: 'the update handler' });
  const upd = seen.find((s) => s.cause === 'update')!;
  assert.deepEqual(upd.diff, [{ op: 'change', path: ['spec', 'n'], old: 1, new: 2 }]);
  assert.equal((upd.old as Widget).spec?.n, 1);
  assert.ok(!seen.some((s) => s.cause === 'field'), 'field handlers only fire when their field changes');

  await h.client.patch(widgets, { namespace: h.ns, name: 'w' }, { spec: { text: 'hello' } });
  await waitUntil(() => seen.some((s) => s.cause === 'field'), { message: 'the field handler' });
  assert.deepEqual(
    seen.find((s) => s.cause === 'field'),
    { cause: 'field', old: undefined, new: 'hello', retry: 0 },
  );

  await h.client.delete(widgets, { namespace: h.ns, name: 'w' });
  await waitFor(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !o, { message: 'the widget to be gone' });
  assert.equal(seen.filter((s) => s.cause === 'delete').length, 1);
});

test('resume handlers run for objects found at start-up; event handlers see raw event types', async (t) => {
  const h = await harness(t, 'resume', { crd: true });
  const creates: string[] = [];
  const first = await h.start((o) => o.resource<Widget>(widgets).on.create((ctx) => void creates.push(ctx.name)));
  await h.client.create(widgets, { metadata: { name: 'old', namespace: h.ns }, spec: { n: 1 } });
  await waitUntil(() => creates.includes('old'));
  await h.settled(first, widgets, 'old');
  await first.stop();

  const resumed: string[] = [];
  const events: string[] = [];
  const created: string[] = [];
  await h.start((o) => {
    const w = o.resource<Widget>(widgets);
    w.on.resume((ctx) => void resumed.push(ctx.name));
    w.on.create((ctx) => void created.push(ctx.name));
    w.on.event((ctx) => void events.push(`${ctx.event?.type}:${ctx.name}`));
  });
  await waitUntil(() => resumed.includes('old'), { message: 'resume of the existing widget' });
  assert.equal(created.length, 0, 'an already handled object is not created again after a restart');
  await h.client.create(widgets, { metadata: { name: 'new', namespace: h.ns }, spec: { n: 1 } });
  await waitUntil(() => created.includes('new'));
  assert.ok(!resumed.includes('new'), 'new objects are not resumed');
  await h.client.delete(widgets, { namespace: h.ns, name: 'new' });
  await waitUntil(() => events.includes('DELETED:new'), { message: 'a DELETED event' });
  assert.ok(events.includes('ADDED:old') || events.includes('MODIFIED:old'));
});

test('ctx.events posts Kubernetes Events about the object', async (t) => {
  const h = await harness(t, 'events', { crd: true });
  await h.start(
    (o) =>
      o.resource<Widget>(widgets).on.create(async (ctx) => {
        await ctx.events.info('Greeted', `hello ${ctx.name}`);
      }),
    { events: undefined },
  );
  const w = await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: {} });
  const event = await waitUntil(
    async () =>
      (
        await h.client.list<import('../index.js').KubeObject & { reason?: string; message?: string; involvedObject?: { uid?: string } }>(
          { version: 'v1', plural: 'events' },
          { namespace: h.ns },
        )
      ).items.find((e) => e.reason === 'Greeted'),
    { message: 'the Greeted event' },
  );
  assert.equal(event.message, 'hello w');
  assert.equal(event.involvedObject?.uid, w.metadata.uid);
});
