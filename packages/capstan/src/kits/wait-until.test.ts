// waitUntil: returns the first truthy value, times out with the last error, gives up early on failFast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WaitAbortedError, waitUntil, WaitTimeoutError } from './wait-until.js';

test('waitUntil returns the first truthy value', async () => {
  let calls = 0;
  const value = await waitUntil(() => (++calls >= 3 ? `after ${calls}` : undefined), { intervalMs: 1, timeoutMs: 5_000 });
  assert.equal(value, 'after 3');
});

test('waitUntil times out naming what it waited for and the last error', async () => {
  await assert.rejects(
    waitUntil(
      () => {
        throw new Error('not yet');
      },
      { intervalMs: 1, timeoutMs: 20, message: 'the widget' },
    ),
    (error: unknown) =>
      error instanceof WaitTimeoutError && /waiting for the widget/.test(error.message) && /last error: not yet/.test(error.message),
  );
});

test('waitUntil gives up at once when failFast says the condition can no longer hold', async () => {
  let calls = 0;
  await assert.rejects(
    waitUntil(
      () => {
        calls++;
        return false;
      },
      { intervalMs: 1, timeoutMs: 60_000, message: 'ready', failFast: () => calls >= 2, progress: () => `${calls} checks` },
    ),
    (error: unknown) => error instanceof WaitTimeoutError && /^gave up waiting for ready; last seen: 2 checks/.test(error.message),
  );
  assert.equal(calls, 2);
});

test('waitUntil stops when its signal aborts, and rethrows fatal errors at once', async () => {
  const stop = new AbortController();
  const waiting = waitUntil(() => undefined, { intervalMs: 60_000, timeoutMs: 120_000, signal: stop.signal, message: 'forever' });
  stop.abort();
  await assert.rejects(waiting, WaitAbortedError);
  class Fatal extends Error {}
  let calls = 0;
  await assert.rejects(
    waitUntil(
      () => {
        calls++;
        throw new Fatal('the operator died');
      },
      { intervalMs: 1, timeoutMs: 60_000, fatal: (e) => e instanceof Fatal },
    ),
    Fatal,
  );
  assert.equal(calls, 1);
});
