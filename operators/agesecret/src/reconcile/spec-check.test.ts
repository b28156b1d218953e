// Spec validation: the seed's manifest passes; each kind of bad input gets its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgeSecret, AgeSecretSpec } from '../resource.js';
import { planSecret, SpecError } from './spec-check.js';

const obj = (spec: AgeSecretSpec): AgeSecret => ({
  apiVersion: 'pyvo.io/v1',
  kind: 'AgeSecret',
  metadata: { name: 'my-secret', namespace: 'development', uid: 'u' },
  spec,
});
const reason = (spec: AgeSecretSpec) => {
  try {
    planSecret(obj(spec));
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof SpecError);
    assert.ok(!error.message.includes('ENC[c'), 'never quotes ciphertexts');
    return error.reason;
  }
};

test("the seed's manifest plans one key from the referenced Secret", () => {
  const plan = planSecret(
    obj({ secretName: 'macrodata-numbers', secretKey: 'numbers', secret: 'ENC[x]', ageSecretRef: 'namespace-secret' }),
  );
  assert.deepEqual(plan.entries, [{ key: 'numbers', ciphertext: 'ENC[x]', field: 'spec.secret' }]);
  assert.deepEqual(plan.keySource, { kind: 'secret', name: 'namespace-secret' });
  assert.equal(plan.type, 'Opaque');
});

test('extensions: data merged with secretKey, type, labels; default key source', () => {
  const plan = planSecret(
    obj({ secretName: 's', secretKey: 'a', secret: 'ENC[a]', data: { b: 'ENC[b]' }, type: 'kubernetes.io/tls', labels: { x: 'y' } }),
  );
  assert.deepEqual(
    plan.entries.map((e) => e.key),
    ['a', 'b'],
  );
  assert.deepEqual(plan.keySource, { kind: 'default' });
  assert.equal(plan.type, 'kubernetes.io/tls');
});

test('bad specs get precise reasons', () => {
  assert.equal(reason({ secretKey: 'a', secret: 'ENC[c]' }), 'MissingField');
  assert.equal(reason({ secretName: 's' }), 'MissingField');
  assert.equal(reason({ secretName: 's', secretKey: 'a' }), 'MissingField');
  assert.equal(reason({ secretName: 's', secret: 'ENC[c]' }), 'MissingField');
  assert.equal(reason({ secretName: 'Not_Valid', secretKey: 'a', secret: 'ENC[c]' }), 'InvalidSecretName');
  assert.equal(reason({ secretName: 'a'.repeat(254), secretKey: 'a', secret: 'ENC[c]' }), 'InvalidSecretName');
  assert.equal(reason({ secretName: 's', secretKey: 'bad key', secret: 'ENC[c]' }), 'InvalidKey');
  assert.equal(reason({ secretName: 's', secretKey: 'a', secret: 'ENC[c]', data: { a: 'ENC[c]' } }), 'DuplicateKey');
  assert.equal(reason({ secretName: 's', secretKey: 'a', secret: 'ENC[c]', ageSecretRef: 'other-ns/key' }), 'CrossNamespaceKeyRef');
  assert.equal(reason({ secretName: 's', secretKey: 'a', secret: 'x'.repeat(1_500_001) }), 'ValueTooLarge');
  assert.equal(
    reason({ secretName: 's', secretKey: 'a', secret: 'ENC[c]', type: 'kubernetes.io/service-account-token' }),
    'UnsupportedType',
  );
});
