// Unit tests of the conditional finalizer patches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addFinalizerOps, hasFinalizer, removeFinalizerOps } from './finalizers.js';

test('adding is conditional on the list seen (or the resourceVersion when there is none)', () => {
  assert.deepEqual(addFinalizerOps({ metadata: { resourceVersion: '7' } }, 'f'), [
    { op: 'test', path: '/metadata/resourceVersion', value: '7' },
    { op: 'add', path: '/metadata/finalizers', value: ['f'] },
  ]);
  assert.deepEqual(addFinalizerOps({ metadata: { finalizers: ['other'] } }, 'f'), [
    { op: 'test', path: '/metadata/finalizers', value: ['other'] },
    { op: 'add', path: '/metadata/finalizers/-', value: 'f' },
  ]);
});

test('removing touches only our entry, conditional on the exact list', () => {
  const obj = { metadata: { finalizers: ['a', 'f', 'b'] } };
  assert.ok(hasFinalizer(obj, 'f'));
  assert.deepEqual(removeFinalizerOps(obj, 'f'), [
    { op: 'test', path: '/metadata/finalizers', value: ['a', 'f', 'b'] },
    { op: 'remove', path: '/metadata/finalizers/1' },
  ]);
  assert.equal(removeFinalizerOps({ metadata: {} }, 'f'), undefined);
});

test('removing several (a retired finalizer with ours) removes from the highest index down', () => {
  const obj = { metadata: { finalizers: ['old', 'x', 'f'] } };
  assert.deepEqual(removeFinalizerOps(obj, ['f', 'old']), [
    { op: 'test', path: '/metadata/finalizers', value: ['old', 'x', 'f'] },
    { op: 'remove', path: '/metadata/finalizers/2' },
    { op: 'remove', path: '/metadata/finalizers/0' },
  ]);
});
