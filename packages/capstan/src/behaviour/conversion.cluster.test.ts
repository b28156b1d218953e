// Behaviour: the conversion webhook of a two-version custom resource, served by an operator to the real API server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ConflictError, createOperator, ServerError, silentLogger, type KubeObject } from '../index.js';
import { deleteNamespace, uniqueNamespace, waitUntil } from '../testing/index.js';
import { Shelves } from './conversion-fixture.js';

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
const v1 = { group: 'conversion.capstan.dev', version: 'v1', plural: 'shelves' };
const v2 = { group: 'conversion.capstan.dev', version: 'v2', plural: 'shelves' };
type Shelf = KubeObject & { spec: Record<string, unknown> };

let client: ApiClient;
let ns: string;
const stop = new AbortController();
let running: Promise<void>;

before(async () => {
  const cluster = await useTestCluster();
  client = await ApiClient.create(cluster.kubeconfigPath);
  await client.create(CRDS, Shelves.crd as unknown as KubeObject).catch((e: unknown) => {
    if (!(e instanceof ConflictError)) throw e;
  });
  ns = await uniqueNamespace(client, 'conversion');
  const op = createOperator({ name: `conversion-${ns}`, logger: silentLogger });
  op.converts(Shelves);
  running = op.run({
    signal: stop.signal,
    kubeconfig: { path: cluster.kubeconfigPath },
    admission: { endpoint: { local: true }, certificates: { ephemeral: true }, port: 0 },
  });
  // Served once both versions answer a list through the webhook.
  await waitUntil(
    async () => {
      const crd = await client.get<KubeObject & { spec: { conversion?: { strategy?: string } } }>(CRDS, {
        name: Shelves.crd.metadata.name,
      });
      if (crd.spec.conversion?.strategy !== 'Webhook') return false;
      await client.list(v2, { namespace: ns });
      return true;
    },
    { message: 'the CRD converting through the webhook', timeoutMs: 60_000 },
  );
});

after(async () => {
  stop.abort();
  await running;
  // The CRD would point at a webhook that is gone: remove it with its objects.
  await client.delete(CRDS, { name: Shelves.crd.metadata.name }).catch(() => undefined);
  await deleteNamespace(client, ns);
  client.close();
});

test('an object written as v1 reads as v2 and back; one written as v2 reads as v1 (stored as the hub)', async () => {
  // The API server swaps the resource's storage when its CRD changes: a request caught in the swap gets a 503.
  const oak = {
    apiVersion: 'conversion.capstan.dev/v1',
    kind: 'Shelf',
    metadata: { name: 'oak', namespace: ns },
    spec: { size: 42, label: 'oak' },
  };
  await waitUntil(
    () =>
      client.create(v1, oak, { namespace: ns }).then(
        () => true,
        (e: unknown) => (e instanceof ServerError ? false : Promise.reject(e)),
      ),
    { message: 'oak created', timeoutMs: 30_000 },
  );
  const asV2 = await waitUntil(() => client.get<Shelf>(v2, { namespace: ns, name: 'oak' }).catch(() => undefined), {
    message: 'oak as v2',
    timeoutMs: 30_000,
  });
  assert.equal(asV2.apiVersion, 'conversion.capstan.dev/v2');
  assert.deepEqual(asV2.spec, { label: 'oak', dimensions: { widthMm: 420 } });
  await client.create(
    v2,
    {
      apiVersion: 'conversion.capstan.dev/v2',
      kind: 'Shelf',
      metadata: { name: 'pine', namespace: ns },
      spec: { dimensions: { widthMm: 300 } },
    },
    { namespace: ns },
  );
  const asV1 = await client.get<Shelf>(v1, { namespace: ns, name: 'pine' });
  assert.deepEqual(asV1.spec, { size: 30 });
  const both = await client.list<Shelf>(v2, { namespace: ns });
  assert.deepEqual(both.items.map((s) => (s.spec.dimensions as { widthMm: number }).widthMm).sort(), [300, 420]);
  // An update through v2 lands in the hub and reads back through v1.
  await client.patch(v2, { namespace: ns, name: 'oak' }, { spec: { dimensions: { widthMm: 500 } } });
  assert.equal((await client.get<Shelf>(v1, { namespace: ns, name: 'oak' })).spec.size, 50);
});
