// Unit tests of key material helpers.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { test } from 'node:test';
import { caFromServingChain, generateServiceAccountKeys } from './certificates.js';

test('service-account keys are RSA in PKCS#1 form (accepted by every supported kube-apiserver)', () => {
  const keys = generateServiceAccountKeys();
  assert.match(keys.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
  assert.equal(createPrivateKey(keys.privateKeyPem).asymmetricKeyType, 'rsa');
});

test('the CA is the last certificate of the serving chain', () => {
  const block = (n: string) => `-----BEGIN CERTIFICATE-----\n${n}\n-----END CERTIFICATE-----`;
  assert.equal(caFromServingChain(`${block('leaf')}\n${block('ca')}\n`), `${block('ca')}\n`);
  assert.throws(() => caFromServingChain('nothing'), /no certificate/);
});
