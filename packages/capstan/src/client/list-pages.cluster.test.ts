// ApiClient.listPages against the real API server: pages of `limit` items from one snapshot, and list() on top of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from './api-client.js';

const namespaces = { version: 'v1', plural: 'namespaces' };
const configMaps = { version: 'v1', plural: 'configmaps' };

test('listPages: one snapshot in pages of `limit`, continue tokens until the last page; list concatenates them', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  const ns = `pages-${randomBytes(4).toString('hex')}`;
  await client.create(namespaces, { metadata: { name: ns } });
  t.after(async () => {
    await client.delete(namespaces, { name: ns });
    client.close();
  });
  for (let i = 0; i < 5; i++) await client.create(configMaps, { metadata: { name: `cm-${i}`, namespace: ns } });
  const selector = { namespace: ns, fieldSelector: 'metadata.name!=kube-root-ca.crt' };

  const pages = [];
  let late = false;
  for await (const page of client.listPages(configMaps, { ...selector, limit: 2 })) {
    pages.push(page);
    // Created between pages: not in this snapshot.
    if (!late) await client.create(configMaps, { metadata: { name: 'late', namespace: ns } });
    late = true;
  }
  assert.deepEqual(
    pages.map((p) => p.items.map((o) => o.metadata.name)),
    [['cm-0', 'cm-1'], ['cm-2', 'cm-3'], ['cm-4']],
  );
  assert.deepEqual(
    pages.map((p) => Boolean(p.continue)),
    [true, true, false],
  );
  assert.equal(new Set(pages.map((p) => p.resourceVersion)).size, 1, 'every page carries the snapshot version');

  const listed = await client.list(configMaps, { ...selector, limit: 2 });
  assert.deepEqual(
    listed.items.map((o) => o.metadata.name),
    ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'late'],
  );
  assert.ok(listed.metadata.resourceVersion);
  assert.ok(!listed.metadata.continue);
});
