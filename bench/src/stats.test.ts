// Unit tests of the latency/throughput summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearFit, percentile, summarize, throughput } from './stats.js';

test('nearest-rank percentiles', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 95), 95);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), 0);
});

test('summarize sorts its input and reports count, max and mean', () => {
  const s = summarize([30, 10, 20]);
  assert.deepEqual(s, { count: 3, p50Ms: 20, p95Ms: 30, p99Ms: 30, maxMs: 30, meanMs: 20 });
});

test('throughput is objects per second, 0 for an empty span', () => {
  assert.equal(throughput(500, 2000), 250);
  assert.equal(throughput(10, 0), 0);
});

test('linear fit recovers slope and intercept', () => {
  const fit = linearFit([
    { x: 100, y: 3 },
    { x: 1000, y: 12 },
    { x: 5000, y: 52 },
  ]);
  assert.ok(Math.abs(fit.slope - 0.01) < 1e-9);
  assert.ok(Math.abs(fit.intercept - 2) < 1e-9);
});
