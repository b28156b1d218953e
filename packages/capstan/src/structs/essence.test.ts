// Unit tests of the essence (what counts as a change) and the compact persisted state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { essenceOf, hashOf, isSecretLike, parseState, serializeState, stableStringify } from './essence.js';

const obj = {
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: {
    name: 'a', namespace: 'n', uid: 'u', resourceVersion: '5', generation: 2, finalizers: ['x'], managedFields: [{}],
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

test('persisted state stays small for huge objects (kopf #1087) and never holds Secret data', () => {
  const essence = { data: { big: 'x'.repeat(300 * 1024) } };
  const s = serializeState({ v: 1, h: hashOf(essence), e: essence });
  assert.ok(s.length < 100, `state is ${s.length} bytes`);
  assert.deepEqual(parseState(s), { v: 1, h: hashOf(essence) });
  const small = serializeState({ v: 1, h: 'h', e: { data: { a: 'b' } } });
  assert.deepEqual(parseState(small)?.e, { data: { a: 'b' } });
  const secret = serializeState({ v: 1, h: 'h', e: { data: { password: 'aHVudGVyMg==' } } }, { hashOnly: true });
  assert.ok(!secret.includes('aHVudGVyMg=='));
  assert.ok(isSecretLike({ apiVersion: 'v1', kind: 'Secret', metadata: {} }));
});

test('a hand-edited state is ignored, not fatal', () => {
  assert.equal(parseState('{not json'), undefined);
  assert.equal(parseState('{"v":2}'), undefined);
  assert.equal(parseState(undefined), undefined);
});

test('delete handlers\' progress (dp) and first-start times survive serialisation, also when the essence is dropped', () => {
  const dp = { cleanup: { r: 2, s: 1_700_000_000_000, t: 1_700_000_001_000 } };
  const big = { data: { big: 'x'.repeat(64 * 1024) } };
  const s = serializeState({ v: 1, h: 'h', e: big, dp });
  assert.deepEqual(parseState(s), { v: 1, h: 'h', dp });
  assert.deepEqual(parseState(serializeState({ v: 1, dp }, { hashOnly: true })), { v: 1, dp });
});
