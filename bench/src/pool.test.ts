// The load shapes: a pool never has more than its concurrency in flight; a rate never starts an item early.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAtRate, runPool } from './pool.js';

test('runPool keeps at most `concurrency` calls in flight and calls every item once', async () => {
  let inFlight = 0;
  let most = 0;
  const seen: number[] = [];
  await runPool([...Array(20).keys()], 3, async (item) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setImmediate(r));
    seen.push(item);
    inFlight--;
  });
  assert.equal(most, 3);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [...Array(20).keys()],
  );
});

test('runAtRate starts item i no earlier than i / rate seconds in, in order, overlapping freely', async () => {
  const start = performance.now();
  const started: number[] = [];
  await runAtRate([...Array(5).keys()], 100, async (item) => {
    started[item] = performance.now() - start;
    await new Promise((r) => setTimeout(r, 30)); // longer than the 10 ms spacing: calls overlap
  });
  // runAtRate re-waits a timer that fired early; lateness is the machine's and not asserted.
  started.forEach((at, i) => assert.ok(at >= i * 10, `item ${i} started at ${at.toFixed(1)} ms`));
  assert.deepEqual(
    started.map((_, i) => i),
    [0, 1, 2, 3, 4],
  );
});
