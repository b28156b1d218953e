// Runs example 04: each filter selects exactly the objects it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from 'capstan';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitForLog } from 'capstan/testing';
import { createFiltersOperator } from './operator.js';

const configMaps = { version: 'v1', plural: 'configmaps' };

test('example 04: label, annotation, when and field filters', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  const ns = await uniqueNamespace(client, 'ex04');
  t.after(() => deleteNamespace(client, ns));
  const op = await runOperatorInProcess((s) => createFiltersOperator(s), { kubeconfigPath: cluster.kubeconfigPath, namespaces: [ns] });
  t.after(() => op.stop());
  const make = (
    name: string,
    labels: Record<string, string> = {},
    annotations: Record<string, string> = {},
    data: Record<string, string> = {},
  ) => client.create(configMaps, { metadata: { name, namespace: ns, labels, annotations }, data });

  await make('paused', { 'app.kubernetes.io/managed-by': 'filters-example', paused: 'true' });
  await make('bronze', { tier: 'bronze' });
  await make('plain');
  await make('managed', { 'app.kubernetes.io/managed-by': 'filters-example' });
  await make('gold', { tier: 'gold' });
  await make('noted', {}, { 'examples.capstan.dev/notify': '' }, { mode: 'a' });
  await waitForLog(op.logs, /managed configmap .*\/managed/);
  await waitForLog(op.logs, /tiered configmap .*\/gold/);
  await waitForLog(op.logs, /annotated configmap .*\/noted/);
  assert.ok(!op.logs.some((l) => /managed configmap .*\/paused/.test(l)), 'ABSENT excludes');
  assert.ok(!op.logs.some((l) => /tiered configmap .*\/bronze/.test(l)), 'the predicate excludes');
  assert.ok(!op.logs.some((l) => /configmap .*\/plain/.test(l)));

  await client.patch(configMaps, { namespace: ns, name: 'noted' }, { data: { mode: 'b' } });
  await waitForLog(op.logs, /mode changed .*\/noted .*from=a to=b/);
  await client.patch(configMaps, { namespace: ns, name: 'plain' }, { data: { a: '1', b: '2', c: '3', d: '4' } });
  await waitForLog(op.logs, /configmap grew large .*\/plain/);
  assert.ok(!op.logs.some((l) => /grew large .*\/noted/.test(l)), 'when() excludes small objects');
});
