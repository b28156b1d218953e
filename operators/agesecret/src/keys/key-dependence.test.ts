// Which retiring identities an AgeSecret still needs, with real age keys: found by trying identities, memoised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encryptValue } from '../crypto/age.js';
import { generateKeyPair, loadIdentities } from '../crypto/identities.js';
import { ciphertextsOf, KeyDependence, subsetOf } from './key-dependence.js';

test('stillNeeded: only values that open with a retiring identity and with no current one', async () => {
  const [oldA, oldB, current, foreign] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]);
  const identities = await loadIdentities([oldA, oldB, current].map((k) => k.identity).join('\n'));
  const key = {
    id: 'ns/k',
    version: '1',
    identities,
    current: [current.recipient],
    retiring: [oldA.recipient, oldB.recipient],
  };
  const enc = (...recipients: string[]) => encryptValue('v', { recipients });
  const cases: [string, string[], string[]][] = [
    ['for the current key', [await enc(current.recipient)], []],
    ['for the current and an old key', [await enc(current.recipient, oldA.recipient)], []],
    ['for an old key only', [await enc(oldA.recipient)], [oldA.recipient]],
    ['for both old keys', [await enc(oldA.recipient, oldB.recipient)], [oldA.recipient, oldB.recipient]],
    ['one value old, one current', [await enc(current.recipient), await enc(oldB.recipient)], [oldB.recipient]],
    ['for a foreign key: no key here helps', [await enc(foreign.recipient)], []],
    ['malformed and plaintext', ['ENC[broken', 'hello'], []],
  ];
  const dependence = new KeyDependence();
  for (const [name, ciphertexts, expected] of cases)
    assert.deepEqual([...(await dependence.stillNeeded(key, ciphertexts))].sort(), [...expected].sort(), name);
  assert.deepEqual([...(await dependence.stillNeeded({ ...key, retiring: [] }, [await enc(oldA.recipient)]))], [], 'nothing retiring');
});

test('subsetOf keeps identities and recipients paired; ciphertextsOf reads secret and data', async () => {
  const [a, b] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const set = await loadIdentities(`${a.identity}\n${b.identity}\n`);
  const sub = subsetOf(set, [b.recipient]);
  assert.deepEqual(sub.recipients, [b.recipient]);
  assert.equal(sub.identities[0], set.identities[1]);
  assert.deepEqual(ciphertextsOf({ spec: { secret: 'x', data: { a: 'y', b: '' } } }), ['x', 'y']);
  assert.deepEqual(ciphertextsOf({ spec: {} }), []);
});
