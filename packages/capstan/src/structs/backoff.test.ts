// Unit tests of exponential backoff with cap and jitter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffDelay } from './backoff.js';

test('grows exponentially up to the cap, without jitter', () => {
  const o = { baseMs: 100, capMs: 1000, jitter: 0 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((r) => backoffDelay(r, o)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('jitter stays within its band and never exceeds the cap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (retry, r) => {
      const d = backoffDelay(retry, { baseMs: 1000, capMs: 60_000, jitter: 0.5 }, () => r);
      const raw = Math.min(60_000, 1000 * 2 ** retry);
      return d >= Math.floor(raw * 0.75) && d <= Math.min(60_000, Math.ceil(raw * 1.25));
    }),
  );
});
