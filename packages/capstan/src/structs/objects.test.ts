// Object helpers: what the cache keeps of an object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forCache, forCacheInPlace, type KubeObject } from './objects.js';

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

test('forCacheInPlace strips and types the object it is given, without copying it', () => {
  const spec = { size: 1 };
  const owned: KubeObject = { metadata: { name: 'a', managedFields: [{ manager: 'kubectl' }], labels: { x: 'y' } }, spec };
  const cached = forCacheInPlace(owned, { apiVersion: 'example.com/v1', kind: 'Widget' });
  assert.equal(cached, owned);
  assert.equal(cached.spec, spec);
  assert.equal('managedFields' in cached.metadata, false);
  assert.deepEqual(cached.metadata, { name: 'a', labels: { x: 'y' } });
  assert.deepEqual([cached.apiVersion, cached.kind], ['example.com/v1', 'Widget']);
  const bare: KubeObject = { metadata: { name: 'b' } };
  const meta = bare.metadata;
  assert.equal(forCacheInPlace(bare, { kind: 'Widget' }).metadata, meta, 'metadata kept when there is nothing to strip');
  assert.equal('apiVersion' in bare, false);
  assert.equal(forCacheInPlace({ kind: 'Gadget', metadata: {} }, { kind: 'Widget' }).kind, 'Gadget');
});
