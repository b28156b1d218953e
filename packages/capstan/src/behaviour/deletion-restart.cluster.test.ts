// Behaviour: delete handlers' retry progress is persisted on the object, so a restarted operator continues it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, waitForLog, waitUntil } from '../testing/index.js';
import { TemporaryError, type HandlerContext, type Operator } from '../index.js';
import { harness, widgets, type Harness, type Widget } from './fixture.js';

const ours = (f: string) => f.endsWith('.capstan.dev/finalizer');
/** The persisted progress of the delete handler `cleanup`. */
function progressOf(o: Widget): { r?: number; d?: number; f?: number } | undefined {
  const raw = Object.entries(o.metadata.annotations ?? {}).find(([k]) => k.endsWith('.capstan.dev/last-handled'))?.[1];
  return raw ? (JSON.parse(raw) as { dp?: Record<string, { r?: number; d?: number; f?: number }> }).dp?.cleanup : undefined;
}

/** Blocks until the operator stops: the attempt is aborted, so nothing of it is recorded. */
function hang(ctx: HandlerContext<Widget>): Promise<never> {
  return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true }));
}

/** First operator: fails temporarily below `until`, then hangs at retry `until` so the test stops it there. */
async function startFailingThenHanging(h: Harness, until: number, options: { retries?: number } = {}) {
  const seen: { retry: number; startedAt: number }[] = [];
  const op = await h.start(
    (o: Operator) =>
      o.resource<Widget>(widgets).on.delete(function cleanup(ctx) {
        seen.push({ retry: ctx.retry, startedAt: ctx.startedAt.getTime() });
        if (ctx.retry < until) throw new TemporaryError('not yet', { delayMs: 100 });
        return hang(ctx);
      }, options),
    { shutdownGraceMs: 0 },
  );
  return { op, seen };
}

test('a restart while a delete handler retries continues its retry count; the finalizer leaves only after success', async (t) => {
  const h = await harness(t, 'delrestart', { crd: true });
  const first = await startFailingThenHanging(h, 2);
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: {} });
  await waitFor<Widget>(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !!o?.metadata.finalizers?.some(ours));
  await h.client.delete(widgets, { namespace: h.ns, name: 'w' });
  await waitUntil(() => first.seen.some((s) => s.retry === 2), { message: 'the third attempt (hanging) of the first operator' });
  await first.op.stop();
  const persisted = await h.client.get<Widget>(widgets, { namespace: h.ns, name: 'w' });
  assert.equal(progressOf(persisted)?.r, 2, 'two failed attempts persisted');
  assert.ok(persisted.metadata.finalizers?.some(ours), 'the finalizer stays while the handler has not succeeded');

  let release = false;
  const second: { retry: number; startedAt: number }[] = [];
  await h.start((o) =>
    o.resource<Widget>(widgets).on.delete(function cleanup(ctx) {
      second.push({ retry: ctx.retry, startedAt: ctx.startedAt.getTime() });
      if (!release) throw new TemporaryError('still not', { delayMs: 100 });
    }),
  );
  await waitUntil(() => second.length >= 2, { message: 'two attempts of the restarted operator' });
  assert.deepEqual(
    second.slice(0, 2).map((s) => s.retry),
    [2, 3],
    'the retry count continues from the persisted one (the aborted attempt is redone)',
  );
  assert.ok(
    second.every((s) => s.startedAt === first.seen[0]!.startedAt),
    "startedAt is the first attempt's, across the restart",
  );
  const held = await h.client.get<Widget>(widgets, { namespace: h.ns, name: 'w' });
  assert.ok(held.metadata.finalizers?.some(ours), 'still failing: the finalizer stays');
  release = true;
  await waitFor(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !o, {
    message: 'the object gone after the handler succeeded',
  });
  assert.ok(second.length >= 3);
});

test('a retries limit reached across a restart is a permanent failure; the finalizer stays and nothing re-runs', async (t) => {
  const h = await harness(t, 'delretries', { crd: true });
  const first = await startFailingThenHanging(h, 1, { retries: 2 });
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: {} });
  await waitFor<Widget>(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !!o?.metadata.finalizers?.some(ours));
  await h.client.delete(widgets, { namespace: h.ns, name: 'w' });
  await waitUntil(() => first.seen.some((s) => s.retry === 1), { message: 'the second attempt (hanging) of the first operator' });
  await first.op.stop();

  const second: number[] = [];
  const fails = (o: Operator, into: number[]) =>
    o.resource<Widget>(widgets).on.delete(
      function cleanup(ctx) {
        into.push(ctx.retry);
        throw new Error('broken for good');
      },
      { retries: 2 },
    );
  const op2 = await h.start((o) => fails(o, second), { shutdownGraceMs: 0 });
  await waitForLog(op2.logs, 'deletion handling failed permanently');
  assert.deepEqual(second, [1, 2], 'retries 1 and 2 after the restart; the limit (2) made the last one permanent');
  const failed = await h.client.get<Widget>(widgets, { namespace: h.ns, name: 'w' });
  assert.deepEqual({ ...progressOf(failed) }, { ...progressOf(failed), r: 2, d: 1, f: 1 }, 'the permanent failure is persisted');
  assert.ok(failed.metadata.finalizers?.some(ours), 'a permanent failure keeps the finalizer');
  await op2.stop();

  const third: number[] = [];
  const op3 = await h.start((o) => fails(o, third));
  await waitForLog(op3.logs, 'deletion handling failed permanently');
  assert.deepEqual(third, [], 'a permanently failed delete handler is not re-run after a restart');
  await h.client.patch(widgets, { namespace: h.ns, name: 'w' }, { metadata: { finalizers: null } });
  await waitFor(h.client, { resource: widgets, namespace: h.ns, name: 'w' }, (o) => !o);
});
