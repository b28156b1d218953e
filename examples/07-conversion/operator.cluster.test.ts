// Runs example 07: a Worker written as v1 reads as v2 and back, through the operator's conversion webhook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ConflictError, ServerError, silentLogger, type KubeObject } from 'capstan';
import { deleteNamespace, uniqueNamespace, waitUntil } from 'capstan/testing';
import { createWorkerOperator } from './operator.js';
import { Workers } from './resource.js';

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
const v2 = { ...Workers.ref, version: 'v2' };
type Obj = KubeObject & { spec: Record<string, unknown> };

test('example 07: v1 and v2 of a Worker, converted by the operator both ways', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  await client.create(crds, Workers.crd as unknown as KubeObject).catch((e) => {
    if (!(e instanceof ConflictError)) throw e;
  });
  const ns = await uniqueNamespace(client, 'ex07');
  const op = createWorkerOperator({ logger: silentLogger });
  const stop = new AbortController();
  const running = op.run({
    signal: stop.signal,
    kubeconfig: { path: cluster.kubeconfigPath },
    admission: { endpoint: { local: true }, certificates: { ephemeral: true }, port: 0 },
  });
  t.after(async () => {
    stop.abort();
    await running;
    // Without its operator the CRD's conversion has nowhere to go: remove the example's CRD with its objects.
    await client.delete(crds, { name: Workers.crd.metadata.name }).catch(() => undefined);
    await deleteNamespace(client, ns);
  });
  // Ready once the CRD converts through the webhook (before that, the API server converts by renaming the version).
  await waitUntil(
    async () => {
      const crd = await client.get<KubeObject & { spec: { conversion?: { strategy?: string } } }>(crds, {
        name: Workers.crd.metadata.name,
      });
      return crd.spec.conversion?.strategy === 'Webhook' && (await client.list(v2, { namespace: ns }).then(() => true));
    },
    { message: 'v2 served through the webhook', timeoutMs: 60_000 },
  );
  // The API server swaps the resource's storage when its CRD changes: a request caught in the swap gets a 503.
  const body = Workers.build({ metadata: { name: 'crawlers', namespace: ns }, spec: { replicas: 3, image: 'crawler:1' } });
  await waitUntil(
    () =>
      client.create(Workers.ref, body, { namespace: ns }).then(
        () => true,
        (e: unknown) => (e instanceof ServerError ? false : Promise.reject(e)),
      ),
    { message: 'the Worker created', timeoutMs: 30_000 },
  );
  const asV2 = await client.get<Obj>(v2, { namespace: ns, name: 'crawlers' });
  assert.deepEqual(asV2.spec, { image: 'crawler:1', scale: { count: 3 } });
  await client.patch(v2, { namespace: ns, name: 'crawlers' }, { spec: { scale: { count: 5 } } });
  assert.equal((await client.get<Obj>(Workers.ref, { namespace: ns, name: 'crawlers' })).spec.replicas, 5);
});
