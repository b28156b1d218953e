// Tests of the status conditions helper (metav1.Condition semantics).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsEqual, getCondition, isFalse, isTrue, kubeTime, removeCondition, setCondition, type Condition } from './conditions.js';

const t0 = new Date('2026-11-22T10:00:00.123Z');
const t1 = new Date('2026-11-22T10:05:00.999Z');

describe('setCondition', () => {
  test('appends a new condition with the transition time in whole seconds', () => {
    const list = setCondition(undefined, { type: 'Ready', status: true, reason: 'Decrypted', message: 'ok', observedGeneration: 3 }, t0);
    assert.deepEqual(list, [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Decrypted',
        message: 'ok',
        observedGeneration: 3,
        lastTransitionTime: '2026-11-22T10:00:00Z',
      },
    ]);
  });

  test('keeps lastTransitionTime when only reason, message or generation change', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'NoKey', message: 'a' }, t0);
    const second = setCondition(first, { type: 'Ready', status: 'False', reason: 'BadKey', message: 'b', observedGeneration: 2 }, t1);
    assert.equal(second.length, 1);
    assert.equal(second[0]?.lastTransitionTime, kubeTime(t0));
    assert.equal(second[0]?.reason, 'BadKey');
    assert.equal(second[0]?.observedGeneration, 2);
  });

  test('moves lastTransitionTime when the status changes', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'NoKey' }, t0);
    const second = setCondition(first, { type: 'Ready', status: 'True', reason: 'Ok' }, t1);
    assert.equal(second[0]?.lastTransitionTime, kubeTime(t1));
  });

  test('leaves other types and the input list alone', () => {
    const before: Condition[] = [
      { type: 'Synced', status: 'True', reason: 'A', message: '', lastTransitionTime: kubeTime(t0) },
      { type: 'Ready', status: 'False', reason: 'B', message: '', lastTransitionTime: kubeTime(t0) },
    ];
    const frozen = JSON.stringify(before);
    const after = setCondition(before, { type: 'Ready', status: 'True', reason: 'C' }, t1);
    assert.equal(JSON.stringify(before), frozen);
    assert.deepEqual(
      after.map((c) => c.type),
      ['Synced', 'Ready'],
    );
    assert.deepEqual(after[0], before[0]);
  });

  test('truncates huge messages', () => {
    const list = setCondition([], { type: 'Ready', status: 'Unknown', reason: 'X', message: 'm'.repeat(40000) }, t0);
    assert.ok((list[0]?.message.length ?? 0) <= 32768);
  });

  test('setting the same condition twice is a no-op (no write needed)', () => {
    const a = setCondition([], { type: 'Ready', status: true, reason: 'Ok' }, t0);
    const b = setCondition(a, { type: 'Ready', status: true, reason: 'Ok' }, t1);
    assert.ok(conditionsEqual(a, b));
  });
});

describe('reading conditions', () => {
  const list = setCondition(
    setCondition([], { type: 'Ready', status: true, reason: 'Ok', observedGeneration: 4 }, t0),
    { type: 'Degraded', status: false, reason: 'Fine' },
    t0,
  );
  test('getCondition finds by type', () => {
    assert.equal(getCondition(list, 'Ready')?.reason, 'Ok');
    assert.equal(getCondition(list, 'Missing'), undefined);
    assert.equal(getCondition(undefined, 'Ready'), undefined);
  });
  test('isTrue / isFalse', () => {
    assert.equal(isTrue(list, 'Ready'), true);
    assert.equal(isTrue(list, 'Ready', 4), true);
    assert.equal(isTrue(list, 'Ready', 5), false);
    assert.equal(isTrue(list, 'Degraded'), false);
    assert.equal(isFalse(list, 'Degraded'), true);
    assert.equal(isTrue(undefined, 'Ready'), false);
  });
  test('removeCondition', () => {
    assert.deepEqual(
      removeCondition(list, 'Ready').map((c) => c.type),
      ['Degraded'],
    );
  });
});
