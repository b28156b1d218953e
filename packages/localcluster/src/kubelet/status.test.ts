// Unit tests of the pod phase and Ready computation (readiness gates included).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionsMatch, ownedConditions, podPhase, withTransitionTimes } from './status.js';
import type { ContainerStatus, Pod } from './types.js';

const running = (name: string, ready: boolean): ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  state: { running: { startedAt: 't' } },
  lastState: {},
  ready,
  started: true,
  restartCount: 0,
});
const exited = (name: string, exitCode: number): ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  state: { terminated: { exitCode, reason: 'Error', finishedAt: 't' } },
  lastState: {},
  ready: false,
  started: false,
  restartCount: 0,
});
const pod = (extra: Partial<Pod['spec']> = {}, conditions: Pod['status'] = {}): Pod => ({
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'a', image: 'x' }], ...extra },
  status: conditions,
});

test('phase: Pending until initialized and started, Running while running', () => {
  assert.equal(podPhase(pod(), [running('a', false)], false), 'Pending');
  assert.equal(podPhase(pod(), [], true), 'Pending');
  assert.equal(podPhase(pod(), [running('a', false)], true), 'Running');
});

test('phase: completed containers follow restartPolicy', () => {
  assert.equal(podPhase(pod({ restartPolicy: 'Never' }), [exited('a', 0)], true), 'Succeeded');
  assert.equal(podPhase(pod({ restartPolicy: 'Never' }), [exited('a', 1)], true), 'Failed');
  assert.equal(podPhase(pod({ restartPolicy: 'Always' }), [exited('a', 1)], true), 'Running');
});

test('Ready needs every container ready', () => {
  const [, containers, ready] = ownedConditions(pod(), [running('a', false)], true, 'Running');
  assert.equal(containers?.status, 'False');
  assert.equal(ready?.status, 'False');
  assert.equal(ready?.reason, 'ContainersNotReady');
  assert.equal(ownedConditions(pod(), [running('a', true)], true, 'Running')[2]?.status, 'True');
});

test('Ready needs every readiness gate condition True', () => {
  const gates = { readinessGates: [{ conditionType: 'x/done' }] };
  const missing = ownedConditions(pod(gates), [running('a', true)], true, 'Running')[2];
  assert.equal(missing?.status, 'False');
  assert.equal(missing?.reason, 'ReadinessGatesNotReady');
  assert.match(missing?.message ?? '', /does not exist/);
  const falseGate = ownedConditions(
    pod(gates, { conditions: [{ type: 'x/done', status: 'False' }] }),
    [running('a', true)],
    true,
    'Running',
  )[2];
  assert.equal(falseGate?.status, 'False');
  const trueGate = ownedConditions(
    pod(gates, { conditions: [{ type: 'x/done', status: 'True' }] }),
    [running('a', true)],
    true,
    'Running',
  )[2];
  assert.equal(trueGate?.status, 'True');
});

test('transition times survive unchanged statuses', () => {
  const computed = [{ type: 'Ready', status: 'True' as const }];
  const kept = withTransitionTimes(computed, [{ type: 'Ready', status: 'True', lastTransitionTime: 'then' }], 'now');
  assert.equal(kept[0]?.lastTransitionTime, 'then');
  const changed = withTransitionTimes(computed, [{ type: 'Ready', status: 'False', lastTransitionTime: 'then' }], 'now');
  assert.equal(changed[0]?.lastTransitionTime, 'now');
  assert.equal(conditionsMatch(computed, [{ type: 'Ready', status: 'True' }]), true);
  assert.equal(conditionsMatch(computed, [{ type: 'Ready', status: 'False' }]), false);
});
