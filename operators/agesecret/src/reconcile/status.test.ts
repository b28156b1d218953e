// Ready condition bookkeeping: transitions, no-op detection, secretName kept while failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgeSecret } from '../resource.js';
import { statusFor } from './status.js';

const base: AgeSecret = { apiVersion: 'pyvo.io/v1', kind: 'AgeSecret', metadata: { name: 'a', namespace: 'n', generation: 2 }, spec: {} };

test('first success writes Ready=True with observedGeneration; repeating it is a no-op', () => {
  const first = statusFor(base, { ok: true, secretName: 's', action: 'created', values: 1 }, new Date('2026-01-01T00:00:00Z'));
  assert.ok(first.patch);
  assert.equal(first.readyChanged, true);
  assert.deepEqual(first.patch.conditions?.[0], {
    type: 'Ready',
    status: 'True',
    reason: 'Decrypted',
    message: 'Secret s is up to date (1 value decrypted)',
    lastTransitionTime: '2026-01-01T00:00:00Z',
    observedGeneration: 2,
  });
  const again = statusFor({ ...base, status: first.patch }, { ok: true, secretName: 's', action: 'unchanged', values: 1 });
  assert.equal(again.patch, undefined);
  assert.equal(again.readyChanged, false);
});

test('failure keeps the managed secretName and moves lastTransitionTime', () => {
  const ok = statusFor(base, { ok: true, secretName: 's', action: 'created', values: 1 }, new Date('2026-01-01T00:00:00Z')).patch!;
  const failed = statusFor({ ...base, status: ok }, { ok: false, reason: 'NoMatchingKey', message: 'm' }, new Date('2026-01-02T00:00:00Z'));
  assert.equal(failed.patch?.secretName, 's');
  assert.equal(failed.ready.lastTransitionTime, '2026-01-02T00:00:00Z');
  assert.equal(failed.ready.reason, 'NoMatchingKey');
});
