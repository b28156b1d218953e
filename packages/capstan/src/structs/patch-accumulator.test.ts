// Unit tests of the patch accumulator and merge-patch helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, createPatch, mergePatches, mergePatchIsNoop, patchToJson, splitStatus } from './patch-accumulator.js';

test('nested assignment needs no set-up; reads leave no trace', () => {
  const p = createPatch();
  assert.equal(patchToJson(p), undefined);
  void p.status.unused; // a read creates nothing in the output
  p.status.phase = 'Ready';
  p.metadata.annotations['example.com/x'] = 'y';
  p.metadata.labels.gone = null;
  assert.deepEqual(patchToJson(p), {
    status: { phase: 'Ready' },
    metadata: { annotations: { 'example.com/x': 'y' }, labels: { gone: null } },
  });
  assert.equal(JSON.stringify(patchToJson(p)), JSON.stringify(JSON.parse(JSON.stringify(patchToJson(p)))));
});

test('the accumulator is not a thenable (safe to return from async code)', async () => {
  const p = createPatch();
  const awaited = await Promise.resolve(p);
  assert.equal(awaited, p);
});

test('mergePatches: later wins field by field; splitStatus separates /status', () => {
  const m = mergePatches({ status: { a: 1, b: 1 }, metadata: { labels: { x: '1' } } }, { status: { b: 2 } });
  assert.deepEqual(m, { status: { a: 1, b: 2 }, metadata: { labels: { x: '1' } } });
  assert.deepEqual(splitStatus(m), { main: { metadata: { labels: { x: '1' } } }, status: { status: { a: 1, b: 2 } } });
});

test('no-op detection and merge-patch application', () => {
  const obj = { metadata: { labels: { a: '1' } }, status: { n: 1, list: [1, 2] } };
  assert.ok(mergePatchIsNoop(obj, { metadata: { labels: { a: '1' } } }));
  assert.ok(mergePatchIsNoop(obj, { status: { list: [1, 2] }, metadata: { labels: { b: null } } }));
  assert.ok(!mergePatchIsNoop(obj, { status: { n: 2 } }));
  assert.ok(!mergePatchIsNoop(obj, { metadata: { labels: { a: null } } }));
  assert.ok(!mergePatchIsNoop(obj, { spec: {} }));
  assert.deepEqual(applyMergePatch(obj, { metadata: { labels: { a: null, b: '2' } }, status: { list: [3] } }), {
    metadata: { labels: { b: '2' } },
    status: { n: 1, list: [3] },
  });
  assert.deepEqual(obj.metadata.labels, { a: '1' }, 'input untouched');
});
