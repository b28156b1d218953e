// Runs example 02: a Greeting gets its ConfigMap and status; drift of the child is repaired; deletion cleans up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ConflictError, type KubeObject } from 'capstan';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitFor, waitForLog, waitUntil } from 'capstan/testing';
import { greetingCrd } from './crd.js';
import { createGreetingOperator, greetings, type Greeting } from './operator.js';

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
const configMaps = { version: 'v1', plural: 'configmaps' };

test('example 02: Greeting -> ConfigMap child, status, drift repair, cleanup', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  await client.create(crds, greetingCrd as unknown as KubeObject).catch((e) => {
    if (!(e instanceof ConflictError)) throw e;
  });
  await waitUntil(() => client.list(greetings, { namespace: 'default' }).then(() => true), { message: 'the Greeting API' });
  const ns = await uniqueNamespace(client, 'ex02');
  t.after(() => deleteNamespace(client, ns));
  const op = await runOperatorInProcess((s) => createGreetingOperator(s), { kubeconfigPath: cluster.kubeconfigPath, namespaces: [ns] });
  t.after(() => op.stop());

  await client.create(greetings, { metadata: { name: 'world', namespace: ns }, spec: { name: 'World', language: 'cs' } });
  const done = await waitFor<Greeting>(client, { resource: greetings, namespace: ns, name: 'world' }, (g) => !!g?.status?.message);
  assert.equal(done?.status?.message, 'Ahoj, World!');
  const child = await client.get(configMaps, { namespace: ns, name: 'world-greeting' });
  assert.equal((child as KubeObject & { data?: Record<string, string> }).data?.message, 'Ahoj, World!');
  assert.equal(child.metadata.ownerReferences?.[0]?.uid, done?.metadata.uid);

  // Drift: someone edits the child; the owner is reconciled and the child repaired.
  await client.patch(configMaps, { namespace: ns, name: 'world-greeting' }, { data: { message: 'tampered' } });
  await waitFor<KubeObject & { data?: Record<string, string> }>(
    client,
    { resource: configMaps, namespace: ns, name: 'world-greeting' },
    (c) => c?.data?.message === 'Ahoj, World!',
    { message: 'the child repaired' },
  );

  await client.patch(greetings, { namespace: ns, name: 'world' }, { spec: { language: 'en' } });
  await waitFor<Greeting>(client, { resource: greetings, namespace: ns, name: 'world' }, (g) => g?.status?.message === 'Hello, World!');

  await client.delete(greetings, { namespace: ns, name: 'world' });
  await waitForLog(op.logs, /greeting removed/);
  await waitFor(client, { resource: greetings, namespace: ns, name: 'world' }, (g) => !g, { message: 'the finalizer released' });
});
