// Unit tests of the soak's readings: event-loop lag from an exposition, request totals without watches, own fds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventLoopLagP99Ms, nonWatchTotal, openFds, soakJson } from './soak-sampler.js';

test('eventLoopLagP99Ms: the p99 gauge of any prefix, with or without labels, in ms', () => {
  const cases: { text: string; ms: number | undefined }[] = [
    { text: 'capstan_nodejs_eventloop_lag_p99_seconds{operator="agesecret"} 0.0123\n', ms: 12.3 },
    { text: '# HELP x\nnodejs_eventloop_lag_p99_seconds 0.5\n', ms: 500 },
    { text: 'capstan_nodejs_eventloop_lag_p90_seconds 0.2\ncapstan_nodejs_eventloop_lag_seconds 0.1\n', ms: undefined },
    { text: 'capstan_nodejs_eventloop_lag_p99_seconds NaN\n', ms: undefined },
    { text: '', ms: undefined },
  ];
  for (const c of cases) assert.equal(eventLoopLagP99Ms(c.text), c.ms, c.text);
});

test('nonWatchTotal: every verb but WATCH', () => {
  assert.equal(nonWatchTotal({ 'GET secrets': 3, 'WATCH secrets': 7, 'POST agesecrets': 2, 'LIST pods': 1 }), 6);
  assert.equal(nonWatchTotal({}), 0);
});

test('openFds: this process has some; a pid that is not there has none', () => {
  assert.ok((openFds(process.pid) ?? 0) >= 3);
  assert.equal(openFds(2 ** 30), undefined);
});

test('soakJson: parses back to the head and the samples', () => {
  const samples = [
    { atMs: 0, operators: { a: { rssMb: 80, fds: 30 } } },
    { atMs: 5000, operators: { a: { rssMb: 81, fds: 30, lagP99Ms: 12 } }, apiPerSec: 7.5 },
  ];
  const text = soakJson({ at: 'now', figures: { minutes: 1 } }, samples);
  assert.deepEqual(JSON.parse(text), { at: 'now', figures: { minutes: 1 }, samples });
  assert.equal(text.split('\n').filter((l) => l.includes('"atMs"')).length, 2, 'one sample a line');
  assert.deepEqual(JSON.parse(soakJson({}, [])), { samples: [] });
});
