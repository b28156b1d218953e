// Tests of the health tracker: readiness from initial lists, liveness only for watches failing for good.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthTracker } from './health.js';
import { ProbeServer } from './probes.js';

describe('health tracker', () => {
  test('ready once every expected resource synced', () => {
    const h = new HealthTracker();
    h.expect('pyvo.io/v1/agesecrets');
    h.expect('/v1/secrets');
    assert.match(h.readiness() ?? '', /initial list not done: pyvo.io\/v1\/agesecrets, \/v1\/secrets/);
    h.hooks().synced?.({ resource: 'pyvo.io/v1/agesecrets' });
    assert.match(h.readiness() ?? '', /^initial list not done: \/v1\/secrets$/);
    h.hooks().synced?.({ resource: '/v1/secrets' });
    assert.equal(h.readiness(), undefined);
  });

  test('per-namespace streams: synced once one synced and none failed its initial list', () => {
    const h = new HealthTracker();
    const hooks = h.hooks();
    h.expect('/v1/configmaps');
    hooks.synced?.({ resource: '/v1/configmaps in a' });
    assert.equal(h.readiness(), undefined);
    hooks.watchError?.({ resource: '/v1/configmaps in b', error: new Error('forbidden') });
    assert.match(h.readiness() ?? '', /\/v1\/configmaps/);
    hooks.synced?.({ resource: '/v1/configmaps in b' });
    assert.equal(h.readiness(), undefined);
    hooks.watchError?.({ resource: '/v1/configmaps in b', error: new Error('later errors do not unready') });
    assert.equal(h.readiness(), undefined);
  });

  test('liveness fails only after many consecutive errors over a long time; any event resets', () => {
    let now = 0;
    const h = new HealthTracker({ maxConsecutiveWatchErrors: 3, watchDownAfterMs: 1000, now: () => now });
    const hooks = h.hooks();
    const fail = () => hooks.watchError?.({ resource: 'r', error: new Error('x') });
    fail();
    fail();
    fail();
    assert.equal(h.liveness(), undefined, 'many errors but not for long');
    now = 2000;
    assert.match(h.liveness() ?? '', /watch failing for good: r \(3 errors\)/);
    hooks.watchEvent?.({ resource: 'r', type: 'BOOKMARK' });
    assert.equal(h.liveness(), undefined);
    fail();
    now = 10_000;
    assert.equal(h.liveness(), undefined, 'long but only one error: a quiet watch that recovered');
  });

  test('a worker past its bound fails liveness, naming only the resource and object; finishing recovers', async () => {
    let now = 0;
    const h = new HealthTracker({ stuckWorkerMs: 1000, now: () => now });
    const hooks = h.hooks();
    const probes = new ProbeServer({ port: 0 });
    h.register(probes);
    hooks.workStarted?.({ resource: 'pyvo.io/v1/agesecrets', namespace: 'dev', name: 'wedged', key: '0:u1', waitMs: 0 });
    hooks.workStarted?.({ resource: '/v1/namespaces', name: 'cluster-wide', key: '1:u2', waitMs: 0 });
    now = 1000;
    assert.equal(h.stuckWorkers(), undefined, 'at the bound, not past it');
    hooks.workFinished?.({ resource: '/v1/namespaces', key: '1:u2', durationMs: 1000 });
    now = 61_000;
    assert.equal(h.stuckWorkers(), 'worker stuck: pyvo.io/v1/agesecrets dev/wedged for 61 s (bound 1 s)');
    const healthz = await probes.run('healthz');
    assert.equal(healthz.ok, false);
    assert.deepEqual(
      healthz.checks.find((c) => c.name === 'workers'),
      { name: 'workers', ok: false, reason: 'worker stuck: pyvo.io/v1/agesecrets dev/wedged for 61 s (bound 1 s)' },
    );
    assert.equal((await probes.run('readyz')).ok, true, 'readiness is not about stuck workers');
    hooks.workFinished?.({ resource: 'pyvo.io/v1/agesecrets', key: '0:u1', durationMs: 61_000 });
    assert.equal(h.stuckWorkers(), undefined);
    assert.equal((await probes.run('healthz')).ok, true);
  });

  test("long declared handler timeouts raise a resource's bound; many stuck workers are summarised", () => {
    let now = 0;
    const h = new HealthTracker({ stuckWorkerMs: 1000, now: () => now });
    const hooks = h.hooks();
    h.allowWorkerTime('slow', 10_000);
    h.allowWorkerTime('slow', 5000); // never lowers
    hooks.workStarted?.({ resource: 'slow', namespace: 'a', name: 'x', key: 's', waitMs: 0 });
    for (let i = 0; i < 5; i++) hooks.workStarted?.({ resource: 'fast', namespace: 'a', name: `o${i}`, key: `f${i}`, waitMs: 0 });
    now = 5000;
    assert.equal(
      h.stuckWorkers(),
      'worker stuck: fast a/o0 for 5 s (bound 1 s), fast a/o1 for 5 s (bound 1 s), fast a/o2 for 5 s (bound 1 s) and 2 more',
    );
    for (let i = 0; i < 5; i++) hooks.workFinished?.({ resource: 'fast', key: `f${i}`, durationMs: 5000 });
    assert.equal(h.stuckWorkers(), undefined, 'slow is within its raised bound');
    now = 10_001;
    assert.match(h.stuckWorkers() ?? '', /^worker stuck: slow a\/x for 10 s \(bound 10 s\)$/);
  });

  test('registers healthz and readyz checks, leadership must be known', async () => {
    const h = new HealthTracker();
    let state: 'leading' | 'standby' | 'unknown' = 'unknown';
    const probes = new ProbeServer({ port: 0 });
    h.register(probes, () => state);
    assert.deepEqual(
      (await probes.run('readyz')).checks.find((c) => c.name === 'leadership'),
      { name: 'leadership', ok: false, reason: 'leadership state not known yet' },
    );
    state = 'standby';
    assert.equal((await probes.run('readyz')).ok, true);
    assert.equal((await probes.run('healthz')).ok, true);
  });
});
