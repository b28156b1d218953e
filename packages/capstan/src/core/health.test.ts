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
    fail(); fail(); fail();
    assert.equal(h.liveness(), undefined, 'many errors but not for long');
    now = 2000;
    assert.match(h.liveness() ?? '', /watch failing for good: r \(3 errors\)/);
    hooks.watchEvent?.({ resource: 'r', type: 'BOOKMARK' });
    assert.equal(h.liveness(), undefined);
    fail();
    now = 10_000;
    assert.equal(h.liveness(), undefined, 'long but only one error: a quiet watch that recovered');
  });

  test('registers healthz and readyz checks, leadership must be known', async () => {
    const h = new HealthTracker();
    let state: 'leading' | 'standby' | 'unknown' = 'unknown';
    const probes = new ProbeServer({ port: 0 });
    h.register(probes, () => state);
    assert.deepEqual((await probes.run('readyz')).checks.find((c) => c.name === 'leadership'), { name: 'leadership', ok: false, reason: 'leadership state not known yet' });
    state = 'standby';
    assert.equal((await probes.run('readyz')).ok, true);
    assert.equal((await probes.run('healthz')).ok, true);
  });
});
