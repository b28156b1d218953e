// The binding header: format, parsing of hostile headers, scope checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindPlaintext, checkBinding, unbindPlaintext } from './binding.js';
import { BindingMismatchError, MalformedCiphertextError } from '../errors.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

test('header format is a single text line before the value', () => {
  assert.equal(dec(bindPlaintext(enc('v'), { namespace: 'dev', name: 'app' })), 'capstan-bind:v1 dev/app\nv');
  assert.equal(dec(bindPlaintext(enc('v'), { namespace: 'dev' })), 'capstan-bind:v1 dev/*\nv');
  assert.throws(() => bindPlaintext(enc('v'), { namespace: 'Dev/x', name: 'a' }), TypeError);
});

test('unbind strips the header, leaves unbound values untouched', () => {
  const out = unbindPlaintext(enc('capstan-bind:v1 dev/app\nline1\nline2'));
  assert.deepEqual(out.scope, { namespace: 'dev', name: 'app' });
  assert.equal(dec(out.value), 'line1\nline2');
  assert.equal(unbindPlaintext(enc('plain value')).scope, undefined);
  assert.equal(dec(unbindPlaintext(enc('capstan-bind:v2 x/y\nv')).value), 'capstan-bind:v2 x/y\nv');
});

test('broken headers are malformed, never silently unbound', () => {
  for (const bad of [
    'capstan-bind:v1 dev/app',
    'capstan-bind:v1 dev\nv',
    'capstan-bind:v1 a/b/c\nv',
    'capstan-bind:v1 DEV/x\nv',
    `capstan-bind:v1 ${'a'.repeat(600)}/x\nv`,
  ]) {
    assert.throws(() => unbindPlaintext(enc(bad)), MalformedCiphertextError, bad.slice(0, 30));
  }
});

test('checkBinding', () => {
  checkBinding(undefined, { namespace: 'x', name: 'y' });
  checkBinding({ namespace: 'x' }, { namespace: 'x', name: 'y' });
  assert.throws(
    () => checkBinding({ namespace: 'x', name: 'z' }, { namespace: 'x', name: 'y' }),
    (e: Error) => {
      assert.ok(e instanceof BindingMismatchError);
      assert.equal(e.message, 'ciphertext is bound to x/z but used by x/y');
      return true;
    },
  );
});
