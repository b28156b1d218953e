// Ready condition bookkeeping: transitions, no-op detection, secretName kept while failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgeSecret } from '../resource.js';
import { statusFor, suspendedStatusFor } from './status.js';

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

test('suspended: a Suspended condition for the generation, Ready untouched; resumed: the condition goes', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const ready = statusFor(base, { ok: true, secretName: 's', action: 'created', values: 1 }, at).patch!;
  const suspendedObj: AgeSecret = { ...base, metadata: { ...base.metadata, generation: 3 }, spec: { secretName: 's', suspend: true } };
  const suspended = suspendedStatusFor({ ...suspendedObj, status: ready }, at)!;
  assert.deepEqual(
    suspended.conditions?.map((c) => [c.type, c.status, c.reason, c.observedGeneration]),
    [
      ['Ready', 'True', 'Decrypted', 2],
      ['Suspended', 'True', 'Suspended', 3],
    ],
  );
  assert.match(suspended.conditions![1]!.message, /writes nothing to Secret s/);
  const status = { ...ready, ...suspended };
  assert.equal(suspendedStatusFor({ ...suspendedObj, status }), undefined, 'already says so: no write');
  const next = { ...suspendedObj, metadata: { ...suspendedObj.metadata, generation: 4 }, status };
  assert.equal(suspendedStatusFor(next)?.conditions?.[1]?.observedGeneration, 4, 'a new generation, seen while suspended');
  // Resumed with nothing else to do: the status is written once, to drop the condition.
  const resumed = statusFor({ ...base, status }, { ok: true, secretName: 's', action: 'unchanged', values: 1 });
  assert.deepEqual(
    resumed.patch?.conditions?.map((c) => c.type),
    ['Ready'],
  );
  assert.equal(
    statusFor({ ...base, status: resumed.patch }, { ok: true, secretName: 's', action: 'unchanged', values: 1 }).patch,
    undefined,
  );
});

test('key status: recipients and needsReencryption written when they change, left alone when not given', () => {
  const ok = { ok: true as const, secretName: 's', action: 'unchanged' as const, values: 1 };
  const first = statusFor(base, ok, new Date('2026-01-01T00:00:00Z'), { recipients: ['age1a'], needsReencryption: false }).patch!;
  assert.deepEqual([first.recipients, first.needsReencryption], [['age1a'], false]);
  const cases: [string, { recipients: string[]; needsReencryption: boolean } | undefined, boolean][] = [
    ['same', { recipients: ['age1a'], needsReencryption: false }, false],
    ['not given', undefined, false],
    ['renewed', { recipients: ['age1b'], needsReencryption: true }, true],
    ['re-encrypted', { recipients: ['age1a'], needsReencryption: true }, true],
  ];
  for (const [name, keys, writes] of cases)
    assert.equal(statusFor({ ...base, status: first }, ok, new Date(), keys).patch !== undefined, writes, name);
});
