// The pod mutating webhook against the real API server and controller manager: pods of an opted-in Deployment
// are created with the label and readiness gate (no template patch, no second rollout); pods that escape it
// while it is down make the operator fall back to patching the template.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster, type ClusterHandle } from '@capstan/localcluster';
import { ApiClient, silentLogger, type KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import type { Deployment, Pod } from './kube-types.js';
import { createHandshakeOperator } from './operator.js';
import { createNamespace, createSuffixSecret, deleteNamespaces, DEPLOYMENTS, GATE, PODS } from './test-fixtures.js';

const MUTATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' };
type DeploymentObject = KubeObject & Deployment & { spec: { replicas?: number }; status?: { replicas?: number } };

const optedIn = (namespace: string, name: string, replicas: number) =>
  ({
    metadata: { name, namespace, labels: { 'secret-handshake': 'true' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'legacy-mock' }] } },
    },
  }) as unknown as KubeObject;

const gated = (p: Pod) =>
  (p.spec?.readinessGates ?? []).some((g) => g.conditionType === GATE) && p.metadata?.labels?.['secret-handshake'] === 'true';

describe('the pod mutating webhook of the handshake operator', () => {
  let cluster: ClusterHandle;
  let client: ApiClient;
  let ns: string;
  let stop: AbortController;
  let running: Promise<void>;
  const config = () => `legacy-handshake-pods-${ns}`;
  const start = async () => {
    stop = new AbortController();
    const op = createHandshakeOperator({
      namespaces: [ns],
      suffixSecret: { namespace: ns, name: 'suffix', key: 'suffix' },
      logger: silentLogger,
      admission: { endpoint: { local: true }, certificates: { ephemeral: true }, port: 0, configurationName: config() },
    });
    running = op.run({ signal: stop.signal, kubeconfig: { path: cluster.kubeconfigPath } });
    await op.ready;
  };
  const podsOf = async (app: string) => (await client.list<KubeObject & Pod>(PODS, { namespace: ns, labelSelector: `app=${app}` })).items;

  before(async () => {
    cluster = await useTestCluster();
    client = await ApiClient.create(cluster.kubeconfigPath);
    ns = await createNamespace(client, 'hs-admission');
    await createSuffixSecret(client, ns, 'suffix', '-acknowledge');
    await start();
    // In use once a dry-run pod of an opted-in Deployment comes back mutated.
    await client.create(DEPLOYMENTS, optedIn(ns, 'probe', 0), { namespace: ns });
    const probePod = {
      metadata: {
        name: 'probe-pod',
        namespace: ns,
        labels: { app: 'probe', 'pod-template-hash': 'abc12' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'probe-abc12', uid: '00000000-0000-0000-0000-000000000001', controller: true },
        ],
      },
      spec: { containers: [{ name: 'app', image: 'legacy-mock' }] },
    } as KubeObject & Pod;
    await waitUntil(async () => gated(await client.create<KubeObject & Pod>(PODS, probePod, { namespace: ns, dryRun: true })), {
      message: 'the mutating webhook in use',
      timeoutMs: 60_000,
    });
  });

  after(async () => {
    stop.abort();
    await running;
    await client.delete(MUTATING, { name: config() }).catch(() => undefined);
    await deleteNamespaces(client, [ns]);
    client.close();
  });

  test('pods of an opted-in Deployment are created gated; its template is left alone (one rollout only)', async () => {
    await client.create(DEPLOYMENTS, optedIn(ns, 'web', 2), { namespace: ns });
    const pods = await waitUntil(
      async () => {
        const list = await podsOf('web');
        return list.length === 2 ? list : undefined;
      },
      { message: 'two pods of web', timeoutMs: 60_000 },
    );
    assert.ok(pods.every(gated), 'both created with label and gate');
    await waitUntil(async () => (await client.get<DeploymentObject>(DEPLOYMENTS, { namespace: ns, name: 'web' })).status?.replicas === 2, {
      message: 'web status: 2 replicas',
      timeoutMs: 60_000,
    });
    const web = await client.get<DeploymentObject>(DEPLOYMENTS, { namespace: ns, name: 'web' });
    assert.equal(web.metadata.generation, 1, 'the template was not patched');
  });

  test('with the webhook down a pod escapes (Ignore); the operator, back, falls back to patching the template', async () => {
    stop.abort();
    await running;
    await client.patch(DEPLOYMENTS, { namespace: ns, name: 'web' }, { spec: { replicas: 3 } });
    const escaped = await waitUntil(
      async () => {
        const list = await podsOf('web');
        return list.length === 3 ? list.filter((p) => !gated(p)) : undefined;
      },
      { message: 'a third pod, created without the webhook', timeoutMs: 60_000 },
    );
    assert.equal(escaped.length, 1);
    await start();
    const patched = await waitUntil(
      async () => {
        const d = await client.get<DeploymentObject>(DEPLOYMENTS, { namespace: ns, name: 'web' });
        return (d.spec.template?.spec?.readinessGates ?? []).some((g) => g.conditionType === GATE) ? d : undefined;
      },
      { message: 'the template patched (fallback)', timeoutMs: 60_000 },
    );
    assert.equal(patched.spec.template?.metadata?.labels?.['secret-handshake'], 'true');
  });
});
