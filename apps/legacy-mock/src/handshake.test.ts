// Unit tests of the handshake check: the seed's values, the newline rule, refusals, and a property.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeKeyHalf, judgeSecret } from './handshake.js';

const seed = { keyHalf: 'This is @ $3cr3t key', suffix: '-acknowledge' };
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

test('the key half encodes to the value in the seed', () => {
  assert.equal(encodeKeyHalf(seed.keyHalf), 'VGhpcyBpcyBAICQzY3IzdCBrZXk=');
});

test("the seed pipeline value (with echo's newline) is accepted", () => {
  assert.deepEqual(judgeSecret('VGhpcyBpcyBAICQzY3IzdCBrZXktYWNrbm93bGVkZ2UK', seed), { ok: true });
});

test('the value without a newline, with CRLF, and with whitespace around the body are accepted', () => {
  assert.equal(judgeSecret(b64('This is @ $3cr3t key-acknowledge'), seed).ok, true);
  assert.equal(judgeSecret(b64('This is @ $3cr3t key-acknowledge\r\n'), seed).ok, true);
  assert.equal(judgeSecret(`  ${b64('This is @ $3cr3t key-acknowledge')}\n`, seed).ok, true);
});

test('a value wrapped over several lines (base64 wraps at 76 columns) is accepted', () => {
  const long = { keyHalf: 'a much longer half of the legacy secret, long enough to wrap', suffix: '-acknowledge' };
  const wrapped = b64(`${long.keyHalf}${long.suffix}\n`).replace(/(.{76})/g, '$1\n');
  assert.ok(wrapped.includes('\n'));
  assert.equal(judgeSecret(wrapped, long).ok, true);
  assert.equal(judgeSecret('VGhp cyBp', seed).ok, false, 'spaces inside are still not base64');
});

test('two trailing newlines, a missing suffix or a wrong half are refused with 403', () => {
  for (const value of [
    'This is @ $3cr3t key-acknowledge\n\n',
    'This is @ $3cr3t key',
    'This is @ $3cr3t kez-acknowledge',
    'x-acknowledge',
  ]) {
    assert.deepEqual(judgeSecret(b64(value), seed), { ok: false, status: 403, reason: 'Wrong secret' }, value);
  }
});

test('empty bodies and non-base64 bodies are refused with 400 and a reason', () => {
  assert.equal(judgeSecret('', seed).ok, false);
  const empty = judgeSecret('  \n', seed);
  assert.ok(!empty.ok && empty.status === 400 && /Empty/.test(empty.reason));
  for (const bad of ['not base64!', 'abcde', '====', 'QQ===', 'This is @ $3cr3t key-acknowledge']) {
    const verdict = judgeSecret(bad, seed);
    assert.ok(!verdict.ok && verdict.status === 400, `${bad} -> ${JSON.stringify(verdict)}`);
  }
});

test('a configured suffix is the one that counts', () => {
  const custom = { keyHalf: 'half', suffix: '-ops-only' };
  assert.equal(judgeSecret(b64('half-ops-only'), custom).ok, true);
  assert.equal(judgeSecret(b64('half-acknowledge'), custom).ok, false);
  // A value that itself ends in a newline still matches exactly.
  assert.equal(judgeSecret(b64('half\n'), { keyHalf: 'half\n', suffix: '' }).ok, true);
});

test('property: base64(half + suffix) is accepted and any other value is refused', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, unit: 'binary' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary' }),
      (keyHalf, suffix, other) => {
        const expected = { keyHalf, suffix };
        assert.equal(judgeSecret(b64(keyHalf + suffix), expected).ok, true);
        const wire = Buffer.from(keyHalf + suffix, 'utf8');
        const sent = Buffer.from(other, 'utf8');
        // The one-trailing-newline allowance makes `value + "\n"` (or CRLF) a correct answer too.
        const allowed = [wire, Buffer.concat([wire, Buffer.from('\n')]), Buffer.concat([wire, Buffer.from('\r\n')])];
        if (other === '' || allowed.some((a) => a.equals(sent))) return;
        assert.equal(judgeSecret(b64(other), expected).ok, false);
      },
    ),
  );
});
