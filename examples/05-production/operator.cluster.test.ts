// Runs example 05: typed CRD installed, Greeting -> owned ConfigMap + Ready condition + Event, probes and metrics answer, Lease held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ConflictError, getCondition, type Condition, type KubeObject } from 'capstan';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitFor, waitUntil } from 'capstan/testing';
import { createProductionOperator, operatorName } from './operator.js';
import { Greetings, type Greeting } from './resource.js';

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
const configMaps = { version: 'v1', plural: 'configmaps' };
const events = { version: 'v1', plural: 'events' };
const leases = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

type Crd = KubeObject<unknown, { conditions?: Condition[] }>;
type ConfigMap = KubeObject & { data?: Record<string, string> };
type Event = KubeObject & {
  reason?: string;
  type?: string;
  message?: string;
  involvedObject?: { uid?: string };
  reportingInstance?: string;
};
type Lease = KubeObject<{ holderIdentity?: string; leaseDurationSeconds?: number }>;

test('example 05: typed CRD, owned child, Ready condition, Event, probes, metrics, Lease', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());

  // The CRD comes from the typed definition, not a hand-written manifest.
  await client.create(crds, Greetings.crd as unknown as KubeObject).catch((e) => {
    if (!(e instanceof ConflictError)) throw e;
  });
  const crd = await waitFor<Crd>(
    client,
    { resource: crds, name: Greetings.crd.metadata.name },
    (c) => getCondition(c?.status?.conditions, 'Established')?.status === 'True',
    { message: 'the Greeting CRD Established' },
  );
  assert.equal(getCondition(crd?.status?.conditions, 'Established')?.status, 'True');
  await waitUntil(() => client.list(Greetings.ref, { namespace: 'default' }).then(() => true), { message: 'the Greeting API served' });

  const ns = await uniqueNamespace(client, 'ex05');
  t.after(() => deleteNamespace(client, ns));
  const instance = `ex05-${randomBytes(3).toString('hex')}`;
  const op = await runOperatorInProcess(
    (s) =>
      createProductionOperator(s, {
        probes: { host: '127.0.0.1', port: 0 },
        leaderElection: { namespace: ns },
        instance,
      }),
    { kubeconfigPath: cluster.kubeconfigPath, namespaces: [ns] },
  );
  t.after(() => op.stop());

  await client.create(
    Greetings.ref,
    Greetings.build({ metadata: { name: 'world', namespace: ns }, spec: { name: 'World', language: 'cs' } }),
  );
  const ready = await waitFor<Greeting>(
    client,
    { resource: Greetings.ref, namespace: ns, name: 'world' },
    (g) => getCondition(g?.status?.conditions as Condition[] | undefined, 'Ready')?.status === 'True',
    { message: 'Greeting world Ready' },
  );
  const condition = getCondition(ready?.status?.conditions as Condition[] | undefined, 'Ready');
  assert.equal(condition?.reason, 'ConfigMapApplied');
  assert.equal(condition?.observedGeneration, ready?.metadata.generation);
  assert.equal(ready?.status?.observedGeneration, ready?.metadata.generation);
  assert.equal(ready?.status?.message, 'Ahoj, World!');

  const child = await client.get<ConfigMap>(configMaps, { namespace: ns, name: 'world-greeting' });
  assert.equal(child.data?.message, 'Ahoj, World!');
  const owner = child.metadata.ownerReferences?.[0];
  assert.equal(owner?.uid, ready?.metadata.uid);
  assert.equal(owner?.kind, 'Greeting');
  assert.equal(owner?.controller, true);

  const event = await waitUntil(
    async () =>
      (await client.list<Event>(events, { namespace: ns })).items.find(
        (e) => e.reason === 'Greeted' && e.involvedObject?.uid === ready?.metadata.uid,
      ),
    { message: 'the Greeted Event' },
  );
  assert.equal(event.type, 'Normal');
  assert.equal(event.message, 'wrote ConfigMap world-greeting');

  // Port 0 picked a free port; the operator says which once its probe server listens.
  const url = (await op.operator.probesListening)?.url;
  assert.ok(url, 'the probe server listens');
  assert.equal(url, op.operator.probeAddress?.url);
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, body: await res.text() };
  };
  assert.equal((await get('/healthz')).status, 200);
  await waitUntil(async () => (await get('/readyz')).status === 200, { message: '/readyz 200' });
  const metrics = await get('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^capstan_handler_runs_total\{.*outcome="success".*\} [1-9]/m);
  assert.match(metrics.body, /^capstan_leader_status\{.*\} 1$/m);

  const lease = await waitFor<Lease>(
    client,
    { resource: leases, namespace: ns, name: `${operatorName}-leader` },
    (l) => !!l?.spec?.holderIdentity,
    { message: 'the Lease held' },
  );
  assert.ok(lease?.spec?.holderIdentity?.startsWith(`${instance}-`), `held by this instance, got ${lease?.spec?.holderIdentity}`);
});
