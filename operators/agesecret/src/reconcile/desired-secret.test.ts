// The desired Secret and the checks that let the operator skip decryption (and catch edited data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgeSecret } from '../resource.js';
import {
  compactCachedSecret,
  DATA_HASH_ANNOTATION,
  dataHash,
  desiredSecret,
  inputHash,
  isOwnedBy,
  needsReplacement,
  secretMatches,
  upToDate,
  valuesDropped,
  type SecretObject,
} from './desired-secret.js';
import { planSecret } from './spec-check.js';

const obj: AgeSecret = {
  apiVersion: 'pyvo.io/v1',
  kind: 'AgeSecret',
  metadata: { name: 'a', namespace: 'n', uid: 'uid-1' },
  spec: { secretName: 's', secretKey: 'k', secret: 'ENC[x]', data: { j: 'ENC[y]' }, labels: { app: 'x' } },
};
const plan = planSecret(obj);
const values = new Map([
  ['k', new TextEncoder().encode('v1')],
  ['j', new TextEncoder().encode('v2')],
]);
const copy = (s: SecretObject): SecretObject => JSON.parse(JSON.stringify(s)) as SecretObject;

test('the desired Secret is owned, typed, labelled and hashed', () => {
  const hash = inputHash(plan);
  const desired = desiredSecret(obj, plan, values, hash);
  assert.equal(desired.type, 'Opaque');
  assert.deepEqual(desired.data, { k: 'djE=', j: 'djI=' });
  assert.ok(isOwnedBy(desired, 'uid-1'));
  assert.ok(!isOwnedBy(desired, 'uid-2'));
  assert.ok(upToDate(desired, plan, hash, 'uid-1'));
  assert.ok(secretMatches(copy(desired), desired));
});

test('input hash: stable across map order, sensitive to ciphertexts and target', () => {
  const reordered = planSecret({ ...obj, spec: { ...obj.spec, labels: { app: 'x' } } });
  assert.equal(inputHash(reordered), inputHash(plan));
  assert.notEqual(inputHash(planSecret({ ...obj, spec: { ...obj.spec, secret: 'ENC[z]' } })), inputHash(plan));
  assert.notEqual(inputHash(planSecret({ ...obj, spec: { ...obj.spec, type: 'kubernetes.io/tls' } })), inputHash(plan));
});

test('not up to date: edited data, extra label, other owner, changed inputs', () => {
  const hash = inputHash(plan);
  const desired = desiredSecret(obj, plan, values, hash);
  const edited = copy(desired);
  edited.data!['k'] = 'dGFtcGVyZWQ=';
  assert.ok(!upToDate(edited, plan, hash, 'uid-1'));
  assert.ok(!secretMatches(edited, desired));
  const relabelled = copy(desired);
  relabelled.metadata.labels!['extra'] = 'y';
  assert.ok(!upToDate(relabelled, plan, hash, 'uid-1'));
  const forged = copy(desired);
  forged.metadata.annotations![DATA_HASH_ANNOTATION] = 'x';
  assert.ok(!upToDate(forged, plan, hash, 'uid-1'));
  assert.ok(!upToDate(desired, plan, hash, 'uid-2'));
  assert.ok(!upToDate(desired, plan, 'other-hash', 'uid-1'));
});

test('immutable: in the hash only when set (old hashes stay valid), on the Secret, and checked', () => {
  const immutablePlan = planSecret({ ...obj, spec: { ...obj.spec, immutable: true } });
  assert.equal(inputHash(planSecret({ ...obj, spec: { ...obj.spec, immutable: false } })), inputHash(plan));
  assert.notEqual(inputHash(immutablePlan), inputHash(plan));
  const desired = desiredSecret(obj, immutablePlan, values, inputHash(immutablePlan));
  assert.equal(desired.immutable, true);
  assert.equal(desiredSecret(obj, plan, values, inputHash(plan)).immutable, undefined);
  assert.ok(upToDate(desired, immutablePlan, inputHash(immutablePlan), 'uid-1'));
  const mutable = copy(desired);
  delete mutable.immutable;
  assert.ok(!upToDate(mutable, immutablePlan, inputHash(immutablePlan), 'uid-1'));
  assert.ok(!secretMatches(mutable, desired));
});

test('replacement (delete + create) only where Kubernetes refuses an update', () => {
  const secret = (over: Partial<SecretObject>): SecretObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    type: 'Opaque',
    data: { k: 'YQ==' },
    ...over,
  });
  const cases: [string, SecretObject, SecretObject, boolean][] = [
    ['same', secret({}), secret({}), false],
    ['new data, mutable', secret({}), secret({ data: { k: 'Yg==' } }), false],
    ['made immutable', secret({}), secret({ immutable: true }), false],
    ['type changed', secret({}), secret({ type: 'kubernetes.io/tls' }), true],
    ['new data, immutable', secret({ immutable: true }), secret({ immutable: true, data: { k: 'Yg==' } }), true],
    ['a key added, immutable', secret({ immutable: true }), secret({ immutable: true, data: { k: 'YQ==', j: 'Yg==' } }), true],
    ['immutable dropped', secret({ immutable: true }), secret({}), true],
    [
      'labels only, immutable',
      secret({ immutable: true }),
      secret({ immutable: true, metadata: { name: 's', labels: { a: 'b' } } }),
      false,
    ],
  ];
  for (const [name, actual, desired, expected] of cases) assert.equal(needsReplacement(actual, desired), expected, name);
});

test('the cache keeps controlled Secrets without their values, every other Secret whole', () => {
  const hash = inputHash(plan);
  const ours = desiredSecret(obj, plan, values, hash);
  const foreignController = { ...ours.metadata.ownerReferences![0]!, kind: 'Deployment', apiVersion: 'apps/v1' };
  const cases: [string, SecretObject, 'compacted' | 'whole'][] = [
    ['written by the operator', copy(ours), 'compacted'],
    ['edited since (digest of the values, not the annotation)', { ...copy(ours), data: { k: 'dGFtcGVyZWQ=' } }, 'compacted'],
    ['a key Secret (no owner)', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key' }, data: { secretKey: 'QUdF' } }, 'whole'],
    ['controlled by something else', { ...copy(ours), metadata: { ...ours.metadata, ownerReferences: [foreignController] } }, 'whole'],
    [
      'owned but not controlled',
      { ...copy(ours), metadata: { ...ours.metadata, ownerReferences: [{ ...ours.metadata.ownerReferences![0]!, controller: false }] } },
      'whole',
    ],
    ['controlled, without data', { ...copy(ours), data: undefined }, 'whole'],
  ];
  for (const [name, secret, want] of cases) {
    const cached = compactCachedSecret(copy(secret));
    if (want === 'whole') {
      assert.deepEqual(cached, copy(secret), name);
      assert.ok(!valuesDropped(cached), name);
      continue;
    }
    assert.equal(cached.data, undefined, name);
    assert.equal(cached.dataDigest, dataHash(secret.data), name);
    assert.ok(valuesDropped(cached), name);
    assert.deepEqual(compactCachedSecret(cached), cached, `${name}: its own output passes through unchanged`);
  }
});

test('the checks give the same answers on a cached copy without values as on the Secret itself', () => {
  const hash = inputHash(plan);
  const desired = desiredSecret(obj, plan, values, hash);
  const edited = { ...copy(desired), data: { k: 'dGFtcGVyZWQ=', j: 'djI=' } };
  const immutable = desiredSecret(obj, planSecret({ ...obj, spec: { ...obj.spec, immutable: true } }), values, hash);
  const otherValues = new Map([['k', new TextEncoder().encode('changed')]]);
  const secrets: [string, SecretObject][] = [
    ['as written', desired],
    ['edited', edited],
    ['immutable', immutable],
    ['immutable, edited', { ...copy(immutable), data: { k: 'eA==' } }],
  ];
  const targets: [string, SecretObject][] = [
    ['same values', desired],
    ['other values', desiredSecret(obj, plan, otherValues, hash)],
    ['immutable, same values', immutable],
  ];
  for (const [name, secret] of secrets) {
    const cached = compactCachedSecret(copy(secret));
    assert.ok(valuesDropped(cached), name);
    assert.equal(upToDate(cached, plan, hash, 'uid-1'), upToDate(secret, plan, hash, 'uid-1'), `${name}: upToDate`);
    for (const [target, want] of targets) {
      assert.equal(secretMatches(cached, want), secretMatches(secret, want), `${name} vs ${target}: secretMatches`);
      assert.equal(needsReplacement(cached, want), needsReplacement(secret, want), `${name} vs ${target}: needsReplacement`);
    }
  }
});
