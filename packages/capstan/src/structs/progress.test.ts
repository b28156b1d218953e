// Unit tests of handler progress and the state annotation's codec, including annotations written by earlier releases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashOf } from './essence.js';
import { afterAttempt, decodeState, encodeState, fresh, isDue, starting, type AttemptOutcome, type Progress } from './progress.js';

test('progress after each kind of attempt', () => {
  const now = 1_000_000;
  const cases: { name: string; before: Progress; outcome: AttemptOutcome; after: Progress }[] = [
    {
      name: 'success finishes',
      before: { retries: 2, notBefore: 5, startedAt: 1 },
      outcome: { kind: 'success' },
      after: { retries: 2, done: true, startedAt: 1 },
    },
    {
      name: 'permanent finishes as failed',
      before: { retries: 0 },
      outcome: { kind: 'permanent' },
      after: { retries: 0, done: true, failed: true },
    },
    {
      name: 'retry counts and delays',
      before: { retries: 1, startedAt: 7 },
      outcome: { kind: 'retry', delayMs: 500 },
      after: { retries: 2, notBefore: now + 500, startedAt: 7 },
    },
    {
      name: 'aborted changes nothing',
      before: { retries: 3, notBefore: 9 },
      outcome: { kind: 'aborted' },
      after: { retries: 3, notBefore: 9 },
    },
  ];
  for (const c of cases) assert.deepEqual(afterAttempt(c.before, c.outcome, now), c.after, c.name);
});

test('due, and the first attempt time kept across retries', () => {
  assert.ok(isDue(fresh(), 0));
  assert.ok(!isDue({ retries: 1, notBefore: 10 }, 9));
  assert.ok(isDue({ retries: 1, notBefore: 10 }, 10));
  assert.ok(!isDue({ retries: 0, done: true }, 0));
  assert.deepEqual(starting(fresh(), 5), { retries: 0, startedAt: 5 });
  assert.deepEqual(starting({ retries: 1, startedAt: 2 }, 5), { retries: 1, startedAt: 2 });
});

test('annotations written by capstan 0.1 decode: running operators upgrade without re-running handlers', () => {
  // Literal annotations of the first release: handled, pending (with a retry in flight), and deleting.
  const handled = '{"v":1,"h":"Zk3uWgr8d3m0GZ6Qv6Zb1w","e":{"spec":{"size":3}}}';
  assert.deepEqual(decodeState(handled), { handled: { hash: 'Zk3uWgr8d3m0GZ6Qv6Zb1w', essence: { spec: { size: 3 } } } });
  assert.equal(encodeState(decodeState(handled)!), handled, 'the steady state re-encodes byte for byte: no write on upgrade');
  const pending =
    '{"v":1,"h":"old","ph":"new","p":{"a":{"r":0,"s":1700000000000,"d":1},"b":{"r":2,"s":1700000000000,"t":1700000005000}},"e":{"spec":{}}}';
  assert.deepEqual(decodeState(pending), {
    handled: { hash: 'old', essence: { spec: {} } },
    pending: {
      hash: 'new',
      handlers: {
        a: { retries: 0, startedAt: 1_700_000_000_000, done: true },
        b: { retries: 2, startedAt: 1_700_000_000_000, notBefore: 1_700_000_005_000 },
      },
    },
  });
  const deleting = '{"v":1,"h":"h","dp":{"cleanup":{"r":1,"s":1,"d":1,"f":1}}}';
  assert.deepEqual(decodeState(deleting), {
    handled: { hash: 'h' },
    deletion: { cleanup: { retries: 1, startedAt: 1, done: true, failed: true } },
  });
});

test('round trip of every field', () => {
  const state = {
    handled: { hash: 'h', essence: { spec: { a: 1 } } },
    pending: { hash: 'p', handlers: { x: { retries: 1, notBefore: 3, startedAt: 2 }, y: { retries: 0, done: true, failed: true } } },
    deletion: { cleanup: { retries: 2, startedAt: 1 } },
  };
  assert.deepEqual(decodeState(encodeState(state)), state);
  assert.deepEqual(decodeState(encodeState({})), {});
});

test('the annotation stays small for huge objects (kopf #1087) and never holds Secret data', () => {
  const essence = { data: { big: 'x'.repeat(300 * 1024) } };
  const big = encodeState({ handled: { hash: hashOf(essence), essence } });
  assert.ok(big.length < 100, `state is ${big.length} bytes`);
  assert.deepEqual(decodeState(big), { handled: { hash: hashOf(essence) } });
  const secret = encodeState({ handled: { hash: 'h', essence: { data: { password: 'aHVudGVyMg==' } } } }, { hashOnly: true });
  assert.ok(!secret.includes('aHVudGVyMg=='));
  const deletion = { cleanup: { retries: 2, startedAt: 1_700_000_000_000, notBefore: 1_700_000_001_000 } };
  assert.deepEqual(decodeState(encodeState({ handled: { hash: 'h', essence: { data: { big: 'x'.repeat(64 * 1024) } } }, deletion })), {
    handled: { hash: 'h' },
    deletion,
  });
});

test('a hand-edited annotation is ignored, not fatal', () => {
  for (const raw of ['{not json', '{"v":2}', 'null', '"v"', undefined, '']) assert.equal(decodeState(raw), undefined, String(raw));
});
