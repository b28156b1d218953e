// Behaviour: TemporaryError with delay, PermanentError, retries limit, timeouts, and the retry count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, waitForLog } from '../testing/index.js';
import { PermanentError, TemporaryError } from '../index.js';
import { harness, widgets, type Widget } from './fixture.js';

test('temporary errors retry with the retry count; permanent errors and exhausted retries stop', async (t) => {
  const h = await harness(t, 'outcomes', { crd: true });
  const attempts: Record<string, number[]> = { flaky: [], broken: [], limited: [], slow: [] };
  const op = await h.start((o) => {
    const w = o.resource<Widget>(widgets);
    w.on.create(function flaky(ctx) {
      if (ctx.name !== 'flaky') return undefined;
      attempts.flaky!.push(ctx.retry);
      if (ctx.retry < 2) throw new TemporaryError('not yet', { delayMs: 50 });
      return 'ok';
    });
    w.on.create(function broken(ctx) {
      if (ctx.name !== 'broken') return;
      attempts.broken!.push(ctx.retry);
      throw new PermanentError('cannot ever work');
    });
    w.on.create(
      function limited(ctx) {
        if (ctx.name !== 'limited') return;
        attempts.limited!.push(ctx.retry);
        throw new Error('plain errors are temporary');
      },
      { retries: 2, backoff: { baseMs: 20, capMs: 50 } },
    );
    w.on.create(
      async function slow(ctx) {
        if (ctx.name !== 'slow') return 'skipped';
        attempts.slow!.push(ctx.retry);
        if (ctx.retry === 0) {
          // Ignores nothing: waits for its signal, which the timeout aborts.
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          throw new Error('aborted by the timeout');
        }
        return 'fast enough';
      },
      { timeoutMs: 200, backoff: { baseMs: 20, capMs: 50 } },
    );
  });
  for (const name of ['flaky', 'broken', 'limited', 'slow']) {
    await h.client.create(widgets, { metadata: { name, namespace: h.ns }, spec: {} });
  }
  const flaky = await waitFor<Widget>(h.client, { resource: widgets, namespace: h.ns, name: 'flaky' }, (o) => o?.status?.flaky === 'ok');
  assert.deepEqual(attempts.flaky, [0, 1, 2]);
  assert.ok(flaky);
  const slow = await waitFor<Widget>(
    h.client,
    { resource: widgets, namespace: h.ns, name: 'slow' },
    (o) => o?.status?.slow === 'fast enough',
  );
  assert.ok(slow);
  assert.deepEqual(attempts.slow, [0, 1], 'the timed-out attempt was retried');

  await waitForLog(op.logs, /handler failed permanently .*handler=broken/);
  await waitForLog(op.logs, /handler failed permanently .*handler=limited/);
  for (const name of ['broken', 'limited']) await h.settled(op, widgets, name);
  assert.deepEqual(attempts.broken, [0], 'a PermanentError is not retried');
  assert.deepEqual(attempts.limited, [0, 1, 2], 'retries: 2 means three attempts in all');
  const broken = await h.client.get<Widget>(widgets, { namespace: h.ns, name: 'broken' });
  assert.equal(broken.status?.broken, undefined, 'nothing stored for a failed handler');
});
