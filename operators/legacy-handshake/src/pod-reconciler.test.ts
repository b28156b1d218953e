// Unit tests of one reconcile pass: a real legacy-mock process on 127.0.0.1 and recorded API writes.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLegacyMock, type LegacyMockOptions } from '@capstan/legacy-mock';
import { reconcilePod, type PodReconcileDeps } from './pod-reconciler.js';
import { HandshakeError, PortError, SuffixError } from './errors.js';
import type { Pod } from './kube-types.js';

const GATE = 'secret-handshake.pyvo.io/done';

function pod(
  port: number,
  extra: { annotations?: Record<string, string>; restarts?: number; gated?: boolean; gate?: 'True' | 'False' } = {},
): Pod {
  return {
    metadata: {
      name: 'legacy',
      namespace: 'demo',
      labels: { 'secret-handshake': 'true' },
      annotations: { 'secret-handshake/port': String(port), ...extra.annotations },
    },
    spec: { containers: [{ name: 'app' }], ...(extra.gated ? { readinessGates: [{ conditionType: GATE }] } : {}) },
    status: {
      phase: 'Running',
      podIP: '127.0.0.1',
      containerStatuses: [{ name: 'app', restartCount: extra.restarts ?? 0 }],
      conditions: extra.gate ? [{ type: GATE, status: extra.gate }] : [],
    },
  };
}

function recorder(suffixValue = '-acknowledge') {
  const writes: { kind: 'pod' | 'status'; patch: Record<string, unknown> }[] = [];
  const events: [string, string, string][] = [];
  let invalidated = 0;
  const deps: PodReconcileDeps = {
    suffix: {
      get: async () => {
        if (suffixValue === '') throw new SuffixError('cannot read suffix Secret ops/handshake: not found');
        return suffixValue;
      },
      invalidate: () => {
        invalidated += 1;
      },
    },
    timeoutMs: 2000,
    patchPod: async (patch) => {
      writes.push({ kind: 'pod', patch });
    },
    patchPodStatus: async (patch) => {
      writes.push({ kind: 'status', patch });
    },
    events: { info: (r, m) => events.push(['info', r, m]), warn: (r, m) => events.push(['warn', r, m]) },
    now: () => new Date('2026-11-22T00:00:00Z'),
  };
  return { deps, writes, events, invalidated: () => invalidated };
}

function conditionOf(patch: Record<string, unknown>): { type: string; status: string } {
  const condition = (patch.status as { conditions: { type: string; status: string }[] }).conditions[0];
  assert.ok(condition, 'the status patch carries a condition');
  return condition;
}

describe('reconcilePod', () => {
  const apps: { close(o?: { graceMs?: number }): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(apps.map((a) => a.close({ graceMs: 0 })));
  });
  async function app(options: LegacyMockOptions = {}) {
    const mock = createLegacyMock({ port: 0, host: '127.0.0.1', ...options });
    apps.push(mock);
    return { mock, port: Number(new URL(await mock.listen()).port) };
  }

  test('handshakes, annotates with the restart count, opens the gate, reports an Event', async () => {
    const { mock, port } = await app();
    const r = recorder();
    const outcome = await reconcilePod(pod(port, { gated: true, restarts: 2 }), r.deps);
    assert.deepEqual(outcome, { kind: 'handshaken', port, restartCount: 2 });
    assert.equal(mock.initialized, true);
    assert.deepEqual(r.writes[0], {
      kind: 'pod',
      patch: { metadata: { annotations: { 'secret-handshake-done': 'true', 'secret-handshake.pyvo.io/restart-count': '2' } } },
    });
    assert.equal(r.writes[1]?.kind, 'status');
    assert.deepEqual(
      { ...conditionOf(r.writes[1]!.patch) },
      {
        type: GATE,
        status: 'True',
        reason: 'HandshakeDone',
        message: 'handshake done at restart count 2',
        lastProbeTime: null,
        lastTransitionTime: '2026-11-22T00:00:00.000Z',
      },
    );
    assert.deepEqual(
      r.events.map(([level, reason]) => [level, reason]),
      [['info', 'Handshaken']],
    );
  });

  test('an ungated pod gets no status write', async () => {
    const { port } = await app();
    const r = recorder();
    await reconcilePod(pod(port), r.deps);
    assert.deepEqual(
      r.writes.map((w) => w.kind),
      ['pod'],
    );
  });

  test('a done pod is left alone; a done gated pod without the condition gets only the condition', async () => {
    const done = { 'secret-handshake-done': 'true', 'secret-handshake.pyvo.io/restart-count': '0' };
    const r = recorder();
    assert.deepEqual(await reconcilePod(pod(1, { annotations: done, gated: true, gate: 'True' }), r.deps), { kind: 'done' });
    assert.equal(r.writes.length, 0);
    assert.deepEqual(await reconcilePod(pod(1, { annotations: done, gated: true }), r.deps), { kind: 'marked-ready' });
    assert.deepEqual(
      r.writes.map((w) => [w.kind, conditionOf(w.patch).status]),
      [['status', 'True']],
    );
  });

  test('after a restart: done cleared and gate closed before the new handshake', async () => {
    const { mock, port } = await app();
    const r = recorder();
    const done = { 'secret-handshake-done': 'true', 'secret-handshake.pyvo.io/restart-count': '0' };
    await reconcilePod(pod(port, { annotations: done, restarts: 1, gated: true, gate: 'True' }), r.deps);
    assert.equal(mock.initialized, true);
    assert.deepEqual(r.writes[0], { kind: 'pod', patch: { metadata: { annotations: { 'secret-handshake-done': null } } } });
    assert.equal(conditionOf(r.writes[1]!.patch).status, 'False');
    assert.equal(
      (r.writes[2]!.patch.metadata as { annotations: Record<string, string> }).annotations['secret-handshake.pyvo.io/restart-count'],
      '1',
    );
    assert.equal(conditionOf(r.writes[3]!.patch).status, 'True');
    assert.deepEqual(
      r.events.map(([, reason]) => reason),
      ['Restarted', 'Handshaken'],
    );
  });

  test('a 500 is thrown for retry with a Warning naming step and status, and nothing is annotated', async () => {
    const { port } = await app({ faults: { failFirstKeyRequests: 1 } });
    const r = recorder();
    await assert.rejects(
      reconcilePod(pod(port), { ...r.deps, attempt: 0 }),
      (e: unknown) => e instanceof HandshakeError && e.status === 500,
    );
    assert.equal(r.writes.length, 0);
    assert.equal(r.events[0]?.[1], 'HandshakeFailed');
    assert.match(r.events[0]![2], /fetch-key: GET \/internal\/key answered HTTP 500 \(failure 1\); will retry/);
    assert.ok(!r.events[0]![2].includes('-acknowledge'));
    assert.equal((await reconcilePod(pod(port), r.deps)).kind, 'handshaken');
  });

  test('a refused secret invalidates the cached suffix', async () => {
    const { port } = await app();
    const r = recorder('-stale');
    await assert.rejects(reconcilePod(pod(port), r.deps), HandshakeError);
    assert.equal(r.invalidated(), 1);
    assert.ok(!r.events.some(([, , message]) => message.includes('-stale')));
  });

  test('a hostile port annotation and a missing suffix Secret are reported and thrown', async () => {
    const r = recorder();
    await assert.rejects(reconcilePod(pod(1, { annotations: { 'secret-handshake/port': '3000/../x' } }), r.deps), PortError);
    assert.deepEqual(r.events[0]?.slice(0, 2), ['warn', 'InvalidPort']);
    const missing = recorder('');
    await assert.rejects(reconcilePod(pod(1), missing.deps), SuffixError);
    assert.deepEqual(missing.events[0]?.slice(0, 2), ['warn', 'SuffixUnavailable']);
  });

  test('a pod that is not Running waits without any request or write', async () => {
    const r = recorder();
    const pending = pod(1);
    pending.status!.phase = 'Pending';
    assert.equal((await reconcilePod(pending, r.deps)).kind, 'waiting');
    assert.equal(r.writes.length + r.events.length, 0);
  });

  test('a failing Event post does not fail the handshake', async () => {
    const { port } = await app();
    const r = recorder();
    r.deps.events = {
      info: () => {
        throw new Error('events forbidden');
      },
      warn: () => {
        throw new Error('events forbidden');
      },
    };
    assert.equal((await reconcilePod(pod(port), r.deps)).kind, 'handshaken');
  });
});

test('a done annotation other than "true" is redone without calling it a restart', async () => {
  const mock = createLegacyMock({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(await mock.listen()).port);
  try {
    const r = recorder();
    let restarts = 0;
    await reconcilePod(pod(port, { annotations: { 'secret-handshake-done': 'false' } }), {
      ...r.deps,
      onRestart: () => {
        restarts += 1;
      },
    });
    assert.deepEqual(
      r.events.map(([, reason]) => reason),
      ['Redo', 'Handshaken'],
    );
    assert.equal(restarts, 0);
    assert.equal(mock.initialized, true);
  } finally {
    await mock.close({ graceMs: 0 });
  }
});

test('failures are reported on attempts 1, 2, 4, 8...', async () => {
  const { worthReporting } = await import('./pod-reconciler.js');
  const reported = Array.from({ length: 20 }, (_, retry) => retry)
    .filter((retry) => worthReporting(retry))
    .map((retry) => retry + 1);
  assert.deepEqual(reported, [1, 2, 4, 8, 16]);
  assert.equal(worthReporting(undefined), true);
});

test('a hostNetwork pod is refused with a Warning and no request', async () => {
  const r = recorder();
  const hostNetwork = pod(1);
  hostNetwork.spec!.hostNetwork = true;
  const { RefusedError } = await import('./errors.js');
  await assert.rejects(reconcilePod(hostNetwork, r.deps), RefusedError);
  assert.deepEqual(
    r.events.map(([level, reason]) => [level, reason]),
    [['warn', 'Refused']],
  );
  assert.equal(r.writes.length, 0);
});

test('a refused connection right after the container started is "not listening yet": no Warning', async () => {
  const closed = createLegacyMock({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(await closed.listen()).port);
  await closed.close({ graceMs: 0 });
  const starting = pod(port);
  starting.status!.containerStatuses = [{ name: 'app', restartCount: 0, state: { running: { startedAt: '2026-11-22T00:00:00Z' } } }];
  const fresh = recorder();
  fresh.deps.now = () => new Date('2026-11-22T00:00:02Z');
  await assert.rejects(
    reconcilePod(starting, fresh.deps),
    (e: unknown) => e instanceof HandshakeError && e.notListeningYet && e.code === 'ECONNREFUSED',
  );
  assert.deepEqual(fresh.events, []);
  const late = recorder();
  late.deps.now = () => new Date('2026-11-22T00:01:00Z');
  await assert.rejects(reconcilePod(starting, late.deps), (e: unknown) => e instanceof HandshakeError && !e.notListeningYet);
  assert.deepEqual(
    late.events.map(([, reason]) => reason),
    ['HandshakeFailed'],
  );
});
