// Unit tests of the JSON Patch applier: every operation, and `test` failing the whole patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from './json-patch.js';

test('operations apply in order to a copy', () => {
  const doc = { metadata: { finalizers: ['a', 'b'], labels: { 'x/y': '1' } } };
  const cases = [
    { ops: [{ op: 'add', path: '/metadata/finalizers/-', value: 'c' }], want: ['a', 'b', 'c'] },
    { ops: [{ op: 'remove', path: '/metadata/finalizers/0' }], want: ['b'] },
    { ops: [{ op: 'replace', path: '/metadata/finalizers/1', value: 'z' }], want: ['a', 'z'] },
    {
      ops: [
        { op: 'test', path: '/metadata/finalizers', value: ['a', 'b'] },
        { op: 'add', path: '/metadata/finalizers/0', value: 'q' },
      ],
      want: ['q', 'a', 'b'],
    },
  ] as const;
  for (const c of cases) {
    const r = applyJsonPatch(doc, c.ops);
    assert.ok(r.ok);
    assert.deepEqual((r.value as typeof doc).metadata.finalizers, c.want);
  }
  assert.deepEqual(doc.metadata.finalizers, ['a', 'b'], 'the input is untouched');
  const esc = applyJsonPatch(doc, [{ op: 'replace', path: '/metadata/labels/x~1y', value: '2' }]);
  assert.ok(esc.ok && (esc.value as typeof doc).metadata.labels['x/y'] === '2');
});

test('a failed test or a missing path fails the whole patch', () => {
  const doc = { a: [1] };
  assert.deepEqual(
    applyJsonPatch(doc, [
      { op: 'test', path: '/a', value: [2] },
      { op: 'add', path: '/b', value: 1 },
    ]),
    { ok: false, message: 'test failed at /a' },
  );
  assert.equal(applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]).ok, false);
  assert.equal(applyJsonPatch(doc, [{ op: 'replace', path: '/a/3', value: 1 }]).ok, false);
});
