// frozenCopy: an equal, independent, deeply frozen copy, whatever the value holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frozenCopy } from './frozen.js';

test('frozenCopy returns an equal, deeply frozen copy that shares nothing mutable with its source', () => {
  const source = { metadata: { name: 'a', labels: { x: '1' } }, spec: { list: [{ v: 1 }, null, 'z'], none: undefined }, n: 0 };
  const copy = frozenCopy(source);
  assert.deepEqual(copy, source);
  assert.notEqual(copy, source);
  for (const node of [copy, copy.metadata, copy.metadata.labels, copy.spec, copy.spec.list, copy.spec.list[0]])
    assert.ok(Object.isFrozen(node));
  source.metadata.labels.x = '2';
  (source.spec.list[0] as { v: number }).v = 2;
  assert.equal(copy.metadata.labels.x, '1');
  assert.deepEqual(copy.spec.list[0], { v: 1 });
  assert.ok('none' in copy.spec, 'undefined-valued keys are kept, as structuredClone keeps them');
});

test('frozenCopy keeps structuredClone semantics for non-plain objects, and passes primitives and undefined through', () => {
  const when = new Date('2026-12-04T00:00:00Z');
  const copy = frozenCopy({ when });
  assert.ok(copy.when instanceof Date);
  assert.notEqual(copy.when, when);
  assert.equal(copy.when.getTime(), when.getTime());
  assert.equal(frozenCopy(undefined), undefined);
  assert.equal(frozenCopy(3), 3);
  assert.equal(frozenCopy(null), null);
  const dictionary = Object.assign(Object.create(null) as Record<string, unknown>, { a: { b: 1 } });
  assert.ok(Object.isFrozen(frozenCopy(dictionary).a));
});
