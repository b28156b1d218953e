// Object helpers: what the cache keeps of an object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forCache, type KubeObject } from './objects.js';

test('forCache drops managedFields, fills the type, and leaves the original untouched', () => {
  const original: KubeObject = {
    metadata: { name: 'a', namespace: 'n', uid: 'u', resourceVersion: '7', managedFields: [{ manager: 'kubectl' }], labels: { x: 'y' } },
    spec: { size: 1 },
  };
  const cached = forCache(original, { apiVersion: 'example.com/v1', kind: 'Widget' });
  assert.equal(cached.metadata.managedFields, undefined);
  assert.deepEqual(cached.metadata.labels, { x: 'y' });
  assert.equal(cached.apiVersion, 'example.com/v1');
  assert.equal(cached.kind, 'Widget');
  assert.deepEqual(cached.spec, { size: 1 });
  assert.deepEqual(original.metadata.managedFields, [{ manager: 'kubectl' }]);
  assert.equal(forCache({ ...original, kind: 'Gadget' }, { kind: 'Widget' }).kind, 'Gadget');
});
