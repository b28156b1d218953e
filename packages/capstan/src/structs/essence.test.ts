// Unit tests of the essence: what counts as a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { essenceOf, hashOf, isSecretLike, stableStringify } from './essence.js';

const obj = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'a',
    namespace: 'n',
    uid: 'u',
    resourceVersion: '5',
    generation: 2,
    finalizers: ['x'],
    managedFields: [{}],
    labels: { app: 'a' },
    annotations: { user: 'keep', 'op.capstan.dev/last-handled': '{}', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  data: { k: 'v' },
  status: { phase: 'x' },
};

test('the essence keeps user intent and drops bookkeeping', () => {
  assert.deepEqual(essenceOf(obj, { stateAnnotation: 'op.capstan.dev/last-handled' }), {
    metadata: { labels: { app: 'a' }, annotations: { user: 'keep' } },
    data: { k: 'v' },
  });
  const bumped = { ...obj, metadata: { ...obj.metadata, resourceVersion: '9', finalizers: [] }, status: { phase: 'y' } };
  assert.equal(hashOf(essenceOf(bumped)), hashOf(essenceOf(obj)), 'status, versions and finalizers are not changes');
  assert.equal(stableStringify({ b: 1, a: [1, { d: 1, c: 2 }] }), '{"a":[1,{"c":2,"d":1}],"b":1}');
});

test('core Secrets are secret-like (their essence is never persisted)', () => {
  assert.ok(isSecretLike({ apiVersion: 'v1', kind: 'Secret', metadata: {} }));
  assert.ok(!isSecretLike({ apiVersion: 'example.com/v1', kind: 'Secret', metadata: {} }));
});
