// Unit tests of structural diffs and JSON equality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diff, jsonEqual } from './diff.js';

test('diff reports adds, changes and removes by path; arrays as whole values', () => {
  const d = diff({ spec: { a: 1, b: [1, 2], c: 'x' } }, { spec: { a: 2, b: [1, 2, 3], d: true } });
  assert.deepEqual(d, [
    { op: 'change', path: ['spec', 'a'], old: 1, new: 2 },
    { op: 'change', path: ['spec', 'b'], old: [1, 2], new: [1, 2, 3] },
    { op: 'remove', path: ['spec', 'c'], old: 'x', new: undefined },
    { op: 'add', path: ['spec', 'd'], old: undefined, new: true },
  ]);
  assert.deepEqual(diff({ a: { b: 1 } }, { a: { b: 1 } }), []);
});

test('jsonEqual ignores key order and undefined members', () => {
  assert.ok(jsonEqual({ a: 1, b: { c: [1, { d: 2 }] } }, { b: { c: [1, { d: 2 }] }, a: 1, e: undefined }));
  assert.ok(!jsonEqual({ a: [1, 2] }, { a: [2, 1] }));
  assert.ok(!jsonEqual({ a: null }, { a: undefined }));
});
