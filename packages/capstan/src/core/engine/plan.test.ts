// Table-driven unit tests of the engine's pure decisions: which handlers are due, for every handler kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { essenceOf, hashOf } from '../../structs/essence.js';
import type { KubeObject } from '../../structs/objects.js';
import { encodeState, type Progress } from '../../structs/progress.js';
import { ResourceRegistration } from './registry.js';
import { newMemory, type ObjectMemory } from './memory.js';
import {
  afterReconcile,
  afterTick,
  deletionComplete,
  finishChange,
  planRound,
  reconcileFingerprint,
  type PlanInput,
  type RoundPlan,
  type Step,
} from './plan.js';

const STATE = 'op.capstan.dev/last-handled';
const FIN = 'op.capstan.dev/finalizer';
const NOW = 1_000_000;
const noop = () => {};

function object(
  over: {
    spec?: unknown;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deleting?: boolean;
    labels?: Record<string, string>;
  } = {},
): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: {
      name: 'w',
      namespace: 'ns',
      uid: 'u1',
      resourceVersion: '5',
      ...(over.labels ? { labels: over.labels } : {}),
      ...(over.annotations ? { annotations: over.annotations } : {}),
      ...(over.finalizers ? { finalizers: over.finalizers } : {}),
      ...(over.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: over.spec ?? { size: 1 },
  };
}

const handledAnnotation = (obj: KubeObject, extra: Parameters<typeof encodeState>[0] = {}) => {
  const essence = essenceOf(obj, { stateAnnotation: STATE });
  return encodeState({ handled: { hash: hashOf(essence), essence }, ...extra });
};

function plan(reg: ResourceRegistration, obj: KubeObject, memory: Partial<ObjectMemory> = {}, over: Partial<PlanInput> = {}): RoundPlan {
  const m = { ...newMemory(obj, 'ns/w', false, NOW - 60_000), ...memory };
  return planRound({
    registration: reg,
    object: obj,
    memory: m,
    now: NOW,
    stateAnnotation: STATE,
    finalizer: FIN,
    matches: (options) => !options.labels || Object.entries(options.labels).every(([k, v]) => obj.metadata.labels?.[k] === v),
    ...over,
  });
}

const ids = (steps: Step[]) =>
  steps.map((s) => {
    switch (s.kind) {
      case 'event':
      case 'resume':
      case 'change':
        return `${s.kind}:${s.handler.id}`;
      case 'timer':
        return `timer:${s.timer.id}`;
      case 'reconcile':
        return 'reconcile';
      default:
        return `${s.kind}:${s.id}`;
    }
  });

function registration(setup: (r: ResourceRegistration) => void): ResourceRegistration {
  const r = new ResourceRegistration({ group: 'example.com', version: 'v1', plural: 'widgets' });
  setup(r);
  return r;
}

test('change handlers: create, update, field, nothing when handled, and their filters', () => {
  const reg = registration((r) => {
    r.on.create(noop, { id: 'made' });
    r.on.update(noop, { id: 'changed' });
    r.on.field('spec.size', noop, { id: 'size' });
    r.on.field('spec.color', noop, { id: 'color' });
    r.on.create(noop, { id: 'labelled', labels: { tier: 'gold' } });
  });
  const fresh = object();
  const handled = object({ annotations: { [STATE]: handledAnnotation(fresh) } });
  const resized = object({ spec: { size: 2 }, annotations: { [STATE]: handledAnnotation(fresh) } });
  const cases: { name: string; obj: KubeObject; want: string[]; cause?: string }[] = [
    {
      name: 'a new object: create handlers and field handlers of set fields',
      obj: fresh,
      want: ['change:made', 'change:size'],
      cause: 'create',
    },
    { name: 'handled and unchanged: nothing', obj: handled, want: [] },
    { name: 'a changed field: update and that field only', obj: resized, want: ['change:changed', 'change:size'], cause: 'update' },
    {
      name: 'filters: the labelled create handler',
      obj: object({ labels: { tier: 'gold' } }),
      want: ['change:made', 'change:size', 'change:labelled'],
      cause: 'create',
    },
  ];
  for (const c of cases) {
    const p = plan(reg, c.obj);
    assert.equal(p.phase, 'live', c.name);
    if (p.phase !== 'live') continue;
    assert.deepEqual(ids(p.steps), c.want, c.name);
    assert.equal(p.change?.cause, c.cause, c.name);
    assert.equal(p.unchanged, c.cause === undefined, c.name);
  }
  const update = plan(reg, resized);
  const step = update.phase === 'live' ? update.steps.find((s) => s.kind === 'change' && s.handler.id === 'size') : undefined;
  assert.ok(step && step.kind === 'change');
  assert.equal(step.old, 1);
  assert.equal(step.new, 2);
  const whole = update.phase === 'live' ? update.steps.find((s) => s.kind === 'change' && s.handler.id === 'changed') : undefined;
  assert.ok(whole?.kind === 'change' && whole.diff.length === 1, 'update handlers get the diff');
});

test('change progress resumes from the annotation: done handlers skip, delayed ones wait', () => {
  const reg = registration((r) => {
    r.on.create(noop, { id: 'a' });
    r.on.create(noop, { id: 'b' });
    r.on.create(noop, { id: 'c' });
  });
  const base = object();
  const hash = hashOf(essenceOf(base, { stateAnnotation: STATE }));
  const pending: Record<string, Progress> = {
    a: { retries: 0, done: true },
    b: { retries: 2, notBefore: NOW + 5000, startedAt: 1 },
    c: { retries: 1, notBefore: NOW - 1, startedAt: 2 },
  };
  const obj = object({ annotations: { [STATE]: encodeState({ pending: { hash, handlers: pending } }) } });
  const p = plan(reg, obj);
  assert.ok(p.phase === 'live');
  assert.deepEqual(ids(p.steps), ['change:c']);
  assert.deepEqual((p.steps[0] as Extract<Step, { kind: 'change' }>).progress, pending.c, 'the retry count and first start carry on');
  assert.equal(p.wakeAt, NOW + 5000);
  // Progress of another essence (the object changed meanwhile) does not carry over.
  const changed = object({ spec: { size: 9 }, annotations: { [STATE]: encodeState({ pending: { hash, handlers: pending } }) } });
  const q = plan(reg, changed);
  assert.ok(q.phase === 'live');
  assert.deepEqual(ids(q.steps), ['change:a', 'change:b', 'change:c']);
});

test('the annotation of capstan 0.1 (one-letter wire form) resumes without re-running finished handlers', () => {
  const reg = registration((r) => {
    r.on.create(noop, { id: 'a' });
    r.on.create(noop, { id: 'b' });
  });
  const hash = hashOf(essenceOf(object(), { stateAnnotation: STATE }));
  const raw = `{"v":1,"ph":"${hash}","p":{"a":{"r":0,"s":1,"d":1},"b":{"r":3,"s":1,"t":${NOW - 10}}}}`;
  const p = plan(reg, object({ annotations: { [STATE]: raw } }));
  assert.ok(p.phase === 'live');
  assert.deepEqual(ids(p.steps), ['change:b']);
  assert.equal((p.steps[0] as Extract<Step, { kind: 'change' }>).progress.retries, 3);
});

test('event and resume handlers', () => {
  const reg = registration((r) => {
    r.on.event(noop, { id: 'e' });
    r.on.resume(noop, { id: 'r' });
  });
  const obj = object();
  const cases: { name: string; memory: Partial<ObjectMemory>; events: string[]; steps: string[] }[] = [
    { name: 'an event, not at start-up', memory: { pendingEvent: 'MODIFIED' }, events: ['event:e'], steps: [] },
    { name: 'found at start-up: resume', memory: { initial: true }, events: [], steps: ['resume:r'] },
    {
      name: 'resume already done this start',
      memory: { initial: true, resume: new Map([['r', { retries: 0, done: true }]]) },
      events: [],
      steps: [],
    },
  ];
  for (const c of cases) {
    const p = plan(reg, obj, c.memory);
    assert.deepEqual(ids(p.events), c.events, c.name);
    assert.ok(p.phase === 'live');
    assert.deepEqual(ids(p.steps), c.steps, c.name);
  }
});

test('reconcile: on change, on request, on its retry or requeue time, not otherwise', () => {
  const reg = registration((r) => r.reconcile({ apply: noop }));
  const obj = object();
  const fp = reconcileFingerprint(obj, STATE);
  const cases: { name: string; memory: Partial<ObjectMemory>; run: boolean; wakeAt?: number }[] = [
    { name: 'never reconciled', memory: {}, run: true },
    { name: 'reconciled this version', memory: { reconciledFingerprint: fp }, run: false },
    { name: 'requested by a trigger', memory: { reconciledFingerprint: fp, reconcileRequested: true }, run: true },
    {
      name: 'retry delay not over',
      memory: { reconciledFingerprint: fp, reconcile: { retries: 1, notBefore: NOW + 100 } },
      run: false,
      wakeAt: NOW + 100,
    },
    { name: 'retry delay over', memory: { reconciledFingerprint: fp, reconcile: { retries: 1, notBefore: NOW } }, run: true },
    {
      name: 'a change during the delay runs it now',
      memory: { reconciledFingerprint: 'old', reconcile: { retries: 1, notBefore: NOW + 100 } },
      run: true,
    },
  ];
  for (const c of cases) {
    const p = plan(reg, obj, c.memory);
    assert.ok(p.phase === 'live');
    assert.deepEqual(ids(p.steps), c.run ? ['reconcile'] : [], c.name);
    assert.equal(p.wakeAt, c.wakeAt, c.name);
  }
  assert.deepEqual(afterReconcile({ retries: 2 }, { kind: 'success' }, NOW, undefined), { retries: 0 });
  assert.deepEqual(afterReconcile({ retries: 2 }, { kind: 'success' }, NOW, 500), { retries: 0, notBefore: NOW + 500 });
  assert.deepEqual(afterReconcile({ retries: 2 }, { kind: 'retry', delayMs: 50 }, NOW, undefined), { retries: 3, notBefore: NOW + 50 });
  assert.deepEqual(afterReconcile({ retries: 2 }, { kind: 'permanent' }, NOW, undefined), { retries: 0 });
});

test('timers: first tick after the interval (or initial delay), idle time, dropped when filters stop matching', () => {
  const reg = registration((r) => {
    r.timer(1000, noop, { id: 't' });
    r.timer(1000, noop, { id: 'idle', idleMs: 120_000 });
    r.timer(1000, noop, { id: 'gold', labels: { tier: 'gold' } });
  });
  const p = plan(reg, object());
  assert.ok(p.phase === 'live');
  assert.deepEqual(ids(p.steps), []);
  assert.deepEqual(p.timerStarts, [
    { id: 't', at: NOW + 1000 },
    { id: 'idle', at: NOW + 1000 },
  ]);
  assert.equal(p.wakeAt, NOW + 1000);
  const due = plan(reg, object(), {
    timers: new Map([
      ['t', { retries: 0, notBefore: NOW }],
      ['idle', { retries: 0, notBefore: NOW }],
      ['gold', { retries: 0, notBefore: NOW }],
    ]),
  });
  assert.ok(due.phase === 'live');
  assert.deepEqual(ids(due.steps), ['timer:t'], 'idle waits for 2 min without change; gold does not match');
  assert.equal(due.wakeAt, NOW - 60_000 + 120_000);
  assert.deepEqual(due.timerDrops, ['gold']);
  const longIdle = { timers: new Map([['idle', { retries: 0, notBefore: NOW }]]), lastChangeAt: NOW - 600_000 };
  const idle = plan(reg, object(), { ...longIdle, seenHash: hashOf(essenceOf(object(), { stateAnnotation: STATE })) });
  assert.ok(idle.phase === 'live' && ids(idle.steps).includes('timer:idle'), 'unchanged for 10 min: the idle timer fires');
  const justChanged = plan(reg, object(), { ...longIdle, seenHash: 'an older essence' });
  assert.ok(justChanged.phase === 'live' && !ids(justChanged.steps).includes('timer:idle'), 'a change seen in this round postpones it');
  assert.deepEqual(afterTick({ retries: 0 }, { kind: 'retry', delayMs: 50 }, NOW, 1000), { retries: 1, notBefore: NOW + 50 });
  assert.deepEqual(
    afterTick({ retries: 1 }, { kind: 'retry', delayMs: 5000 }, NOW, 1000),
    { retries: 2, notBefore: NOW + 1000 },
    'never later than the next tick',
  );
  assert.deepEqual(afterTick({ retries: 3 }, { kind: 'success' }, NOW, 1000), { retries: 0, notBefore: NOW + 1000 });
});

test('finalizers only when a deletion step needs one; ours and retired ones leave when not needed', () => {
  const cases: {
    name: string;
    setup: (r: ResourceRegistration) => void;
    finalizers?: string[];
    want: { add?: string; remove?: string[] };
  }[] = [
    { name: 'a reconciler without cleanup: none', setup: (r) => r.reconcile({ apply: noop }), want: {} },
    { name: 'cleanup: ours is added', setup: (r) => r.reconcile({ apply: noop, cleanup: noop }), want: { add: FIN } },
    {
      name: 'cleanup with finalizer false: none',
      setup: (r) => r.reconcile({ apply: noop, cleanup: noop }, { finalizer: false }),
      want: {},
    },
    { name: 'a blocking delete handler: ours', setup: (r) => r.on.delete(noop), want: { add: FIN } },
    { name: 'an optional delete handler: none', setup: (r) => r.on.delete(noop, { optional: true }), want: {} },
    {
      name: 'held but no longer needed: removed',
      setup: (r) => r.reconcile({ apply: noop }),
      finalizers: ['x', FIN],
      want: { remove: [FIN] },
    },
    {
      name: 'a retired finalizer is removed',
      setup: (r) => r.reconcile({ apply: noop }, { retiredFinalizers: ['old/f'] }),
      finalizers: ['old/f'],
      want: { remove: ['old/f'] },
    },
    { name: 'needed and held: kept', setup: (r) => r.reconcile({ apply: noop, cleanup: noop }), finalizers: [FIN], want: {} },
  ];
  for (const c of cases) {
    const reg = registration(c.setup);
    const p = plan(
      reg,
      object({ finalizers: c.finalizers }),
      {},
      { registration: { ...pick(reg), retiredFinalizers: reg.retiredFinalizers } },
    );
    assert.ok(p.phase === 'live');
    assert.deepEqual(p.finalizer, c.want, c.name);
  }
});

function pick(reg: ResourceRegistration) {
  return { handlers: reg.handlers, timers: reg.timers, reconciler: reg.reconciler, tracksChanges: reg.tracksChanges };
}

test('deletion: steps under our finalizer with persisted progress; farewell without it; nothing twice', () => {
  const reg = registration((r) => {
    r.on.delete(noop, { id: 'd' });
    r.reconcile({ apply: noop, cleanup: noop });
  });
  const deleting = object({ deleting: true, finalizers: [FIN] });
  const p = plan(reg, deleting);
  assert.equal(p.phase, 'deleting');
  assert.deepEqual(ids(p.steps), ['deletion:d', 'deletion:cleanup']);
  // After a restart the annotation's progress counts: cleanup failed twice and waits.
  const persisted = object({
    deleting: true,
    finalizers: [FIN],
    annotations: { [STATE]: encodeState({ deletion: { d: { retries: 0, done: true }, cleanup: { retries: 2, notBefore: NOW + 10 } } }) },
  });
  const q = plan(reg, persisted);
  assert.ok(q.phase === 'deleting');
  assert.deepEqual(ids(q.steps), []);
  assert.equal(q.wakeAt, NOW + 10);
  assert.deepEqual(q.finalizers, [FIN]);
  const leaving = plan(reg, object({ deleting: true }));
  assert.equal(leaving.phase, 'leaving');
  assert.deepEqual(ids(leaving.steps), ['farewell:d', 'farewell:cleanup']);
  assert.deepEqual(ids(plan(reg, object({ deleting: true }), { farewellDone: true }).steps), []);
  const gone = plan(reg, object(), { gone: true });
  assert.equal(gone.phase, 'gone');
  assert.deepEqual(ids(gone.steps), ['farewell:d', 'farewell:cleanup']);
  assert.ok(deletionComplete([{ retries: 0, done: true }]));
  assert.ok(!deletionComplete([{ retries: 0, done: true, failed: true }]));
  assert.ok(!deletionComplete([{ retries: 1 }]));
});

test('a retired finalizer on an object being deleted is released with no handler run', () => {
  const reg = registration((r) => r.reconcile({ apply: noop }, { retiredFinalizers: ['old/f'] }));
  const p = plan(
    reg,
    object({ deleting: true, finalizers: ['old/f', 'someone/else'] }),
    {},
    { registration: { ...pick(reg), retiredFinalizers: reg.retiredFinalizers } },
  );
  assert.ok(p.phase === 'deleting');
  assert.deepEqual(ids(p.steps), []);
  assert.deepEqual(p.finalizers, ['old/f']);
});

test('finishing a change: progress while unfinished, the new diff base when done', () => {
  const projected = { essence: { spec: { a: 1 } }, hash: 'new' };
  const change = { cause: 'update' as const, state: { handled: { hash: 'old', essence: { spec: {} } } }, handlers: {} };
  assert.deepEqual(finishChange(change, { a: { retries: 0, done: true } }, projected), {
    state: { handled: { hash: 'new', essence: { spec: { a: 1 } } } },
    done: true,
  });
  assert.deepEqual(finishChange(change, { a: { retries: 1, notBefore: 5 } }, projected), {
    state: { handled: { hash: 'old', essence: { spec: {} } }, pending: { hash: 'new', handlers: { a: { retries: 1, notBefore: 5 } } } },
    done: false,
  });
});
