// Unit tests of the soak's trend verdict: least-squares slopes and the second-half bound, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secondHalf, slopePerMinute, trendVerdict, type Point } from './soak-trend.js';

/** A series sampled every `everyMs` for `minutes`, value f(minute). */
const series = (minutes: number, everyMs: number, f: (min: number) => number): Point[] =>
  Array.from({ length: Math.floor((minutes * 60_000) / everyMs) + 1 }, (_, i) => ({ atMs: i * everyMs, value: f((i * everyMs) / 60_000) }));

test('slopePerMinute: least squares, per minute', () => {
  const cases: { name: string; points: Point[]; slope: number }[] = [
    { name: 'empty', points: [], slope: 0 },
    { name: 'one point', points: [{ atMs: 0, value: 5 }], slope: 0 },
    {
      name: 'same instant',
      points: [
        { atMs: 1000, value: 1 },
        { atMs: 1000, value: 9 },
      ],
      slope: 0,
    },
    { name: 'flat', points: series(10, 5000, () => 80), slope: 0 },
    { name: 'rising 2/min', points: series(10, 5000, (m) => 50 + 2 * m), slope: 2 },
    { name: 'falling 0.5/min', points: series(10, 5000, (m) => 50 - 0.5 * m), slope: -0.5 },
    { name: 'sawtooth around a level', points: series(10, 1000, (m) => 100 + ((m * 60) % 30) / 3), slope: 0 },
    {
      name: 'two points',
      points: [
        { atMs: 0, value: 10 },
        { atMs: 30_000, value: 13 },
      ],
      slope: 6,
    },
  ];
  for (const c of cases)
    assert.ok(Math.abs(slopePerMinute(c.points) - c.slope) < 0.05, `${c.name}: ${slopePerMinute(c.points)} vs ${c.slope}`);
});

test('secondHalf: the readings from the time midpoint on', () => {
  const cases: { points: Point[]; atMs: number[] }[] = [
    { points: [], atMs: [] },
    { points: series(1, 15_000, () => 1), atMs: [30_000, 45_000, 60_000] },
    { points: [0, 1000, 9000, 10_000].map((atMs) => ({ atMs, value: 0 })), atMs: [9000, 10_000] },
  ];
  for (const c of cases)
    assert.deepEqual(
      secondHalf(c.points).map((p) => p.atMs),
      c.atMs,
    );
});

test('trendVerdict: the rise over the second half against absolute + relative allowance', () => {
  const bound = { absolute: 8, relative: 0.1 };
  const cases: { name: string; points: Point[]; ok: boolean; rise?: number }[] = [
    { name: 'flat 100 MiB', points: series(30, 5000, () => 100), ok: true, rise: 0 },
    { name: 'warm-up then flat (first half ignored)', points: series(30, 5000, (m) => (m < 10 ? 40 + 6 * m : 100)), ok: true, rise: 0 },
    { name: 'leak 2 MiB/min: rise 30 over 15 min > 8 + 10% of ~105', points: series(30, 5000, (m) => 60 + 2 * m), ok: false, rise: 30 },
    { name: 'tiny drift 0.5 MiB/min: rise 7.5 < 18', points: series(30, 5000, (m) => 92 + 0.5 * m), ok: true, rise: 7.5 },
    { name: 'falling', points: series(30, 5000, (m) => 200 - 2 * m), ok: true },
    { name: 'short run, steep', points: series(3, 5000, (m) => 60 + 20 * m), ok: false, rise: 30 },
    { name: 'fds +1 every minute, bound 4', points: series(10, 5000, (m) => 20 + Math.floor(m)), ok: false },
    { name: 'too few points', points: series(0.1, 5000, (m) => 1000 * m), ok: true, rise: 0 },
  ];
  for (const c of cases) {
    const v = trendVerdict(c.points, c.name.startsWith('fds') ? { absolute: 4, relative: 0 } : bound);
    assert.equal(v.ok, c.ok, `${c.name}: rise ${v.rise.toFixed(2)}, allowed ${v.allowed.toFixed(2)}`);
    if (c.rise !== undefined) assert.ok(Math.abs(v.rise - c.rise) < 0.3, `${c.name}: rise ${v.rise}`);
  }
});
