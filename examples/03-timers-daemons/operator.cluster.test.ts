// Runs example 03: heartbeats accumulate on labelled ConfigMaps; the daemon stops when its object is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from 'capstan';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitFor, waitForLog } from 'capstan/testing';
import { createTimersOperator } from './operator.js';

const configMaps = { version: 'v1', plural: 'configmaps' };

test('example 03: timer heartbeats and a daemon bound to its object', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  const ns = await uniqueNamespace(client, 'ex03');
  t.after(() => deleteNamespace(client, ns));
  const op = await runOperatorInProcess((s) => createTimersOperator(s, { intervalMs: 200 }), {
    kubeconfigPath: cluster.kubeconfigPath,
    namespaces: [ns],
  });
  t.after(() => op.stop());

  await client.create(configMaps, { metadata: { name: 'beating', namespace: ns, labels: { heartbeat: 'yes' } } });
  await client.create(configMaps, { metadata: { name: 'still', namespace: ns } });
  const beating = await waitFor(
    client,
    { resource: configMaps, namespace: ns, name: 'beating' },
    (o) => Number(o?.metadata.annotations?.['examples.capstan.dev/beats'] ?? 0) >= 3,
    { message: 'three heartbeats' },
  );
  assert.ok(beating);
  const still = await client.get(configMaps, { namespace: ns, name: 'still' });
  assert.equal(still.metadata.annotations?.['examples.capstan.dev/beats'], undefined, 'unlabelled objects get no timer');

  await client.create(configMaps, { metadata: { name: 'observed', namespace: ns, labels: { watched: 'yes' } } });
  await waitForLog(op.logs, /daemon started .*observed/);
  await client.delete(configMaps, { namespace: ns, name: 'observed' });
  await waitForLog(op.logs, /daemon stopped .*observed/);
});
