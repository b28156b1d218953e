// Unit tests of what the operator decides for a pod in each state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPod, restartCountOf } from './pod-plan.js';
import type { Pod } from './kube-types.js';

interface Shape {
  phase?: string;
  podIP?: string;
  annotations?: Record<string, string>;
  restarts?: number[];
  gated?: boolean;
  gate?: 'True' | 'False';
  deleting?: boolean;
}

function pod(shape: Shape = {}): Pod {
  return {
    metadata: {
      name: 'legacy',
      namespace: 'demo',
      labels: { 'secret-handshake': 'true' },
      annotations: shape.annotations ?? {},
      ...(shape.deleting ? { deletionTimestamp: '2026-11-22T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'app' }],
      ...(shape.gated ? { readinessGates: [{ conditionType: 'secret-handshake.pyvo.io/done' }] } : {}),
    },
    status: {
      phase: shape.phase ?? 'Running',
      ...(shape.podIP === '' ? {} : { podIP: shape.podIP ?? '10.1.0.5' }),
      containerStatuses: (shape.restarts ?? [0]).map((restartCount, i) => ({ name: `c${i}`, restartCount })),
      conditions: [
        { type: 'Ready', status: 'False' },
        ...(shape.gate ? [{ type: 'secret-handshake.pyvo.io/done', status: shape.gate }] : []),
      ],
    },
  };
}

const done = (count: number) => ({ 'secret-handshake-done': 'true', 'secret-handshake.pyvo.io/restart-count': String(count) });

test('waits for Running, a pod IP, and ignores pods being deleted', () => {
  assert.equal(planPod(pod({ phase: 'Pending' })).kind, 'wait');
  assert.equal(planPod(pod({ podIP: '' })).kind, 'wait');
  assert.equal(planPod(pod({ deleting: true })).kind, 'wait');
  assert.match((planPod(pod({ phase: 'Pending' })) as { reason: string }).reason, /Pending/);
});

test('a fresh running pod is handshaken', () => {
  assert.deepEqual(planPod(pod()), {
    kind: 'handshake',
    podIP: '10.1.0.5',
    restartCount: 0,
    gated: false,
    startedAt: undefined,
    clearDone: false,
    markUnready: false,
  });
});

test('a handshaken pod at the same restart count is done; a gated one without the condition is marked ready', () => {
  assert.deepEqual(planPod(pod({ annotations: done(0) })), { kind: 'done' });
  assert.deepEqual(planPod(pod({ annotations: done(0), gated: true, gate: 'True' })), { kind: 'done' });
  assert.deepEqual(planPod(pod({ annotations: done(0), gated: true })), { kind: 'mark-ready', restartCount: 0 });
  assert.deepEqual(planPod(pod({ annotations: done(0), gated: true, gate: 'False' })), { kind: 'mark-ready', restartCount: 0 });
});

test('a container restart since the handshake means: clear done, mark unready, handshake again', () => {
  assert.deepEqual(planPod(pod({ annotations: done(0), restarts: [1], gated: true, gate: 'True' })), {
    kind: 'handshake',
    podIP: '10.1.0.5',
    restartCount: 1,
    gated: true,
    startedAt: undefined,
    clearDone: true,
    markUnready: true,
  });
  assert.equal(planPod(pod({ annotations: done(2), restarts: [1, 1] })).kind, 'done');
  assert.equal(planPod(pod({ annotations: done(2), restarts: [1, 2] })).kind, 'handshake');
});

test('the seed-style annotation without a count counts as done at zero restarts', () => {
  assert.equal(planPod(pod({ annotations: { 'secret-handshake-done': 'true' } })).kind, 'done');
  assert.equal(planPod(pod({ annotations: { 'secret-handshake-done': 'true' }, restarts: [1] })).kind, 'handshake');
  assert.equal(
    planPod(pod({ annotations: { 'secret-handshake-done': 'true', 'secret-handshake.pyvo.io/restart-count': 'junk' }, restarts: [1] }))
      .kind,
    'handshake',
  );
});

test('done annotated anything but "true" is redone', () => {
  const plan = planPod(pod({ annotations: { 'secret-handshake-done': 'false' } }));
  assert.equal(plan.kind, 'handshake');
  assert.equal(plan.kind === 'handshake' && plan.clearDone, true);
});

test('restart counts add up over containers and ignore garbage', () => {
  assert.equal(restartCountOf(pod({ restarts: [1, 2, 3] })), 6);
  assert.equal(restartCountOf({}), 0);
  assert.equal(
    restartCountOf({
      status: {
        containerStatuses: [
          { name: 'a', restartCount: -4 },
          { name: 'b', restartCount: 1.5 },
        ],
      },
    }),
    0,
  );
});

test("a hostNetwork pod is refused: its IP is the node's", () => {
  const hostNetwork = pod();
  hostNetwork.spec!.hostNetwork = true;
  const plan = planPod(hostNetwork);
  assert.equal(plan.kind, 'refuse');
  assert.match((plan as { reason: string }).reason, /hostNetwork/);
});

test('latestStart is the most recent start of a running container', async () => {
  const { latestStart } = await import('./pod-plan.js');
  const p = pod();
  p.status!.containerStatuses = [
    { name: 'a', state: { running: { startedAt: '2026-11-22T10:00:00Z' } } },
    { name: 'b', state: { running: { startedAt: '2026-11-22T10:05:00Z' } } },
    { name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } } },
  ];
  assert.equal(latestStart(p), Date.parse('2026-11-22T10:05:00Z'));
  assert.equal(latestStart(pod()), undefined);
});
