// When a missing Secret is checked against the live AgeSecret before it is written again, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mustCheckOwner } from './apply.js';

const secret = { metadata: { name: 's' } };
const cases: [string, { status?: { secretName?: string } }, unknown, boolean][] = [
  ['a first write (no status yet): no check, at most one Secret the collector removes', {}, undefined, false],
  ['written before, now missing: deleted by someone, or collected with a gone owner', { status: { secretName: 's' } }, undefined, true],
  ['written before and present: judged as it is', { status: { secretName: 's' } }, secret, false],
  ['renamed: the new name was never written, a first write', { status: { secretName: 'old' } }, undefined, false],
  ['status without a Secret name (refused so far): a first write', { status: {} }, undefined, false],
];

for (const [name, obj, existing, expected] of cases) {
  test(`mustCheckOwner: ${name}`, () => {
    assert.equal(mustCheckOwner(obj as Parameters<typeof mustCheckOwner>[0], { secretName: 's' }, existing), expected);
  });
}
