// Unit tests of minted user tokens: round trip, tampering, foreign secrets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintUserToken, verifyUserToken } from './tokens.js';

test('a minted token carries the user and groups', () => {
  const token = mintUserToken('s3cret', { user: 'alice', groups: ['devs', 'ops'] });
  assert.deepEqual(verifyUserToken('s3cret', token), { user: 'alice', groups: ['devs', 'ops'], uid: '' });
});

test('a token signed with another secret or altered is rejected', () => {
  const token = mintUserToken('s3cret', { user: 'alice' });
  assert.equal(verifyUserToken('other', token), undefined);
  const [p, , sig] = token.split('.');
  const forged = `${p}.${Buffer.from(JSON.stringify({ u: 'admin', g: ['system:masters'] })).toString('base64url')}.${sig}`;
  assert.equal(verifyUserToken('s3cret', forged), undefined);
  assert.equal(verifyUserToken('s3cret', 'not-a-token'), undefined);
});

test('minting needs a user name', () => {
  assert.throws(() => mintUserToken('s', { user: '' }), TypeError);
});
