// Runs example 01 against the local control plane: it logs ConfigMap and Pod events and writes nothing to ConfigMaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from 'capstan';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitForLog } from 'capstan/testing';
import { createController } from './operator.js';

test('example 01: the controller logs ConfigMap and Pod events in its namespace only', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  const ns = await uniqueNamespace(client, 'ex01');
  const other = await uniqueNamespace(client, 'ex01-other');
  t.after(async () => {
    await deleteNamespace(client, ns);
    await deleteNamespace(client, other);
    client.close();
  });
  const op = await runOperatorInProcess((s) => createController(s), { kubeconfigPath: cluster.kubeconfigPath, namespaces: [ns] });
  t.after(() => op.stop());

  await op.client.create(
    { version: 'v1', plural: 'configmaps' },
    { metadata: { name: 'settings', namespace: ns }, data: { colour: 'blue' } },
  );
  await op.client.create({ version: 'v1', plural: 'configmaps' }, { metadata: { name: 'elsewhere', namespace: other }, data: { x: '1' } });
  await waitForLog(op.logs, /configmap added .*object=.*\/settings/);
  await op.client.create(
    { version: 'v1', plural: 'pods' },
    {
      metadata: { name: 'web', namespace: ns },
      spec: { containers: [{ name: 'web', image: 'example/web:1' }] },
    },
  );
  await waitForLog(op.logs, /pod created .*object=.*\/web .*example\/web:1/);
  await op.client.delete({ version: 'v1', plural: 'configmaps' }, { namespace: ns, name: 'settings' });
  await waitForLog(op.logs, /configmap deleted .*\/settings/);

  assert.ok(!op.logs.some((l) => l.includes('/elsewhere')), 'objects of other namespaces are not seen');
  assert.ok(!op.logs.some((l) => l.includes('blue')), 'ConfigMap values are never logged');
  const cm = await op.client.create({ version: 'v1', plural: 'configmaps' }, { metadata: { name: 'untouched', namespace: ns } });
  await waitForLog(op.logs, /configmap added .*\/untouched/);
  const after = await op.client.get({ version: 'v1', plural: 'configmaps' }, { namespace: ns, name: 'untouched' });
  assert.equal(after.metadata.resourceVersion, cm.metadata.resourceVersion, 'an observer writes nothing');
});
