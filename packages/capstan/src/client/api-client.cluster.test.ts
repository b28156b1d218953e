// ApiClient against the real API server: discovery, CRUD, the four patch types, typed errors, watch with abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ConflictError, InvalidError, NotFoundError } from '../structs/errors.js';
import type { KubeObject } from '../structs/objects.js';
import { ApiClient } from './api-client.js';

const namespaces = { version: 'v1', plural: 'namespaces' };
const configMaps = { version: 'v1', plural: 'configmaps' };
type Pod = KubeObject<{ containers: { name: string; image: string; env?: { name: string; value: string }[] }[] }>;

test('ApiClient: discovery, CRUD, patches, errors and watches', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath }, { fieldManager: 'client-test' });
  const ns = `client-${randomBytes(4).toString('hex')}`;
  await client.create(namespaces, { metadata: { name: ns } });
  t.after(async () => {
    await client.delete(namespaces, { name: ns });
    client.close();
  });

  const byKind = await client.resolve({ version: 'v1', kind: 'ConfigMap' });
  assert.deepEqual([byKind.plural, byKind.namespaced], ['configmaps', true]);
  const nsRes = await client.resolve(namespaces);
  assert.deepEqual([nsRes.kind, nsRes.namespaced, nsRes.hasStatus], ['Namespace', false, true]);
  await assert.rejects(client.resolve({ group: 'nope.example.com', version: 'v1', plural: 'things' }), NotFoundError);

  const created = await client.create(configMaps, { metadata: { name: 'c', namespace: ns }, data: { a: '1' } } as KubeObject);
  assert.equal(created.kind, 'ConfigMap', 'apiVersion and kind filled in from the reference');
  await assert.rejects(
    client.create(configMaps, { metadata: { name: 'c', namespace: ns } }),
    (e: unknown) => e instanceof ConflictError && e.reason === 'AlreadyExists' && e.status === 409,
  );
  await assert.rejects(
    client.get(configMaps, { namespace: ns, name: 'missing' }),
    (e: unknown) => e instanceof NotFoundError && !String((e as Error).message).includes('"data"'),
  );
  assert.equal(await client.tryGet(configMaps, { namespace: ns, name: 'missing' }), undefined);

  // merge patch; JSON Patch whose `test` fails is an InvalidError and changes nothing.
  await client.patch(configMaps, { namespace: ns, name: 'c' }, { data: { b: '2' } });
  await assert.rejects(
    client.patch(configMaps, { namespace: ns, name: 'c' }, [
      { op: 'test', path: '/data/a', value: 'not-1' },
      { op: 'replace', path: '/data/a', value: 'x' },
    ]),
    InvalidError,
  );
  await client.patch(configMaps, { namespace: ns, name: 'c' }, [
    { op: 'test', path: '/data/a', value: '1' },
    { op: 'replace', path: '/data/a', value: 'y' },
  ]);
  const afterJson = await client.get<KubeObject & { data?: Record<string, string> }>(configMaps, { namespace: ns, name: 'c' });
  assert.deepEqual(afterJson.data, { a: 'y', b: '2' });

  // replace with a stale resourceVersion conflicts.
  await assert.rejects(client.replace(configMaps, { ...created, data: { z: '1' } }), ConflictError);

  // server-side apply with plain JSON (unknown keys kept) and a field manager; strategic merge of a list by name.
  const applied = await client.apply(configMaps, { metadata: { name: 'applied', namespace: ns }, data: { k: 'v' } } as KubeObject, {
    force: true,
  });
  assert.ok(applied.metadata.managedFields?.some((f) => (f as { manager?: string }).manager === 'client-test'));
  await client.create<Pod>(
    { version: 'v1', plural: 'pods' },
    {
      metadata: { name: 'p', namespace: ns },
      spec: {
        containers: [
          { name: 'a', image: 'x:1' },
          { name: 'b', image: 'y:1' },
        ],
      },
    },
  );
  const patched = await client.patch<Pod>(
    { version: 'v1', plural: 'pods' },
    { namespace: ns, name: 'p' },
    { spec: { containers: [{ name: 'b', image: 'y:2' }] } },
    { type: 'strategic' },
  );
  assert.deepEqual(
    patched.spec?.containers.map((c) => `${c.name}=${c.image}`),
    ['a=x:1', 'b=y:2'],
    'strategic merge keeps the other container',
  );

  // paged list
  for (let i = 0; i < 5; i++) await client.create(configMaps, { metadata: { name: `page-${i}`, namespace: ns } });
  const listed = await client.list(configMaps, { namespace: ns, limit: 2 });
  assert.ok(listed.items.filter((o) => o.metadata.name?.startsWith('page-')).length === 5, 'all pages concatenated');

  // watch from the list's version sees a new object, then ends quietly on abort.
  const controller = new AbortController();
  const seen: string[] = [];
  const watching = (async () => {
    for await (const ev of client.watch(configMaps, {
      namespace: ns,
      resourceVersion: listed.metadata.resourceVersion,
      signal: controller.signal,
      timeoutSeconds: 60,
    })) {
      seen.push(`${ev.type}:${ev.object.metadata.name}`);
      if (ev.object.metadata.name === 'watched') controller.abort();
    }
  })();
  await client.create(configMaps, { metadata: { name: 'watched', namespace: ns } });
  await watching;
  assert.ok(seen.includes('ADDED:watched'));

  const deleted = await client.delete(configMaps, { namespace: ns, name: 'c' });
  assert.ok(deleted);
  await assert.rejects(client.delete(configMaps, { namespace: ns, name: 'c' }), NotFoundError);
});
