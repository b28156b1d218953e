// The plaintext refusal: the operator's classification and the CRD's CEL rule agree on every sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armor } from 'age-encryption';
import { AGE_CIPHERTEXT_PREFIXES, AGE_CIPHERTEXT_RULE, claimsAge, classifyValue } from './ciphertext.js';

const header = new TextEncoder().encode('age-encryption.org/v1\n-> X25519 abc\n--- def\n');
const b64 = Buffer.from(header).toString('base64');

/** The CEL rule evaluated the way the API server does: a disjunction of self.startsWith('...'). */
function celAccepts(value: string): boolean {
  const prefixes = [...AGE_CIPHERTEXT_RULE.rule.matchAll(/self\.startsWith\('([^']*)'\)/g)].map((m) => m[1] ?? '');
  assert.equal(prefixes.length, AGE_CIPHERTEXT_RULE.rule.split('||').length, 'the rule is only startsWith terms');
  return prefixes.some((p) => value.startsWith(p));
}

const samples: Array<[string, string, 'encrypted' | 'malformed' | 'plaintext']> = [
  ['ENC[] with an age file', `ENC[${b64}]`, 'encrypted'],
  ['ENC[] wrapped over lines', `ENC[${b64.slice(0, 20)}\n${b64.slice(20)}]`, 'encrypted'],
  ['ENC[] with a trailing newline (YAML block)', `ENC[${b64}]\n`, 'encrypted'],
  ['bare base64 of an age file', b64, 'encrypted'],
  ['ASCII armor', armor.encode(header), 'encrypted'],
  ['ENC[] without closing bracket', `ENC[${b64}`, 'malformed'],
  ['ENC[] of a non-age file', `ENC[${Buffer.from('hello world').toString('base64')}]`, 'malformed'],
  ['the base64 header then garbage', `${b64.slice(0, 29)}!!!not base64`, 'malformed'],
  ['plain words', 'Hello world!', 'plaintext'],
  ['numbers', '04 17 29 33', 'plaintext'],
  ['base64 of plaintext', Buffer.from('my password').toString('base64'), 'plaintext'],
  ['an age public key', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', 'plaintext'],
  ['an age identity', 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', 'plaintext'],
  ['empty', '', 'plaintext'],
  ['leading whitespace before ENC[', ` ENC[${b64}]`, 'plaintext'],
  ['lower-case enc[', `enc[${b64}]`, 'plaintext'],
];

test('the CRD rule and the operator agree on what is plaintext, sample by sample', () => {
  for (const [name, value, kind] of samples) {
    assert.equal(classifyValue(value), kind, name);
    assert.equal(claimsAge(value), kind !== 'plaintext', name);
    assert.equal(celAccepts(value), kind !== 'plaintext', `CEL: ${name}`);
  }
});

test('the rule names every prefix and its message never depends on the value', () => {
  for (const prefix of AGE_CIPHERTEXT_PREFIXES) assert.ok(AGE_CIPHERTEXT_RULE.rule.includes(`'${prefix}'`), prefix);
  assert.ok(!('messageExpression' in AGE_CIPHERTEXT_RULE), 'a fixed message: a messageExpression could echo the value');
  // The API server quotes the refused value in FieldValueInvalid errors, not in FieldValueForbidden ones.
  assert.equal(AGE_CIPHERTEXT_RULE.reason, 'FieldValueForbidden');
  // The base64 prefix is the encoding of the age header line, whatever bytes follow it.
  for (const tail of ['', 'x', '-> X25519', '\u0000\u00ff']) {
    assert.ok(
      Buffer.from(`age-encryption.org/v1\n${tail}`).toString('base64').startsWith(AGE_CIPHERTEXT_PREFIXES[2]),
      JSON.stringify(tail),
    );
  }
});
