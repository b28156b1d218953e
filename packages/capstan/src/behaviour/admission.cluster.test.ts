// Behaviour: validate and mutate handlers served to the real API server (local endpoint, capstan's certificates):
// refusals at apply time, dry runs, mutations as patches, certificate rotation under load, the webhook down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { useTestCluster } from '@capstan/localcluster';
import { SecretCertificates } from '../core/admission/certificates.js';
import { AdmissionError, ApiClient, ConfigurationError, createOperator, silentLogger, type KubeObject, type Operator } from '../index.js';
import { deleteNamespace, uniqueNamespace, waitUntil } from '../testing/index.js';
import { configMaps } from './fixture.js';

type ConfigMap = KubeObject & { data?: Record<string, string> };
const VALIDATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' };
const MUTATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' };

describe('admission webhooks served by an operator', () => {
  let client: ApiClient;
  let ns: string;
  let op: Operator;
  const stop = new AbortController();
  let running: Promise<void>;
  const seen: { operation: string; dryRun: boolean; name: string }[] = [];
  const selector = () => ({ matchLabels: { 'admission-test': ns } });
  const cm = (name: string, data: Record<string, string>, extra: Record<string, string> = {}): ConfigMap => ({
    metadata: { name, namespace: ns, labels: { 'admission-test': ns, ...extra } },
    data,
  });

  before(async () => {
    const cluster = await useTestCluster();
    client = await ApiClient.create(cluster.kubeconfigPath);
    ns = await uniqueNamespace(client, 'admission');
    op = createOperator({ name: `admission-${ns}`, logger: silentLogger });
    const maps = op.resource<ConfigMap>(configMaps);
    maps.validate(
      (req) => {
        seen.push({ operation: req.operation, dryRun: req.dryRun, name: req.name });
        if (req.object?.data?.['color'] === 'plaid') throw new AdmissionError('data.color: plaid is not a colour we stock', { code: 422 });
        return req.object?.data?.['color'] === 'beige' ? { warnings: ['beige is discouraged'] } : undefined;
      },
      { id: 'colours', objectSelector: selector() },
    );
    maps.mutate(
      (req) =>
        req.object
          ? { ...req.object, metadata: { ...req.object.metadata, labels: { ...req.object.metadata.labels, mutated: 'yes' } } }
          : undefined,
      { id: 'label', objectSelector: selector(), failurePolicy: 'Ignore' },
    );
    running = op.run({
      signal: stop.signal,
      kubeconfig: { path: cluster.kubeconfigPath },
      admission: { endpoint: { local: true }, certificates: { ephemeral: true }, port: 0 },
    });
    await waitUntil(async () => (await client.get(VALIDATING, { name: op.name }).catch(() => undefined)) !== undefined, {
      message: 'the ValidatingWebhookConfiguration written',
      timeoutMs: 60_000,
    });
    // The API server's webhook client caches configurations briefly: wait until a refusal proves it calls us.
    await waitUntil(
      async () => {
        try {
          await client.create(configMaps, cm('probe', { color: 'plaid' }), { namespace: ns, dryRun: true });
          return false;
        } catch (error) {
          return /plaid/.test(String(error));
        }
      },
      { message: 'the webhook called by the API server', timeoutMs: 60_000 },
    );
  });

  after(async () => {
    stop.abort();
    await running;
    await client.delete(VALIDATING, { name: op.name }).catch(() => undefined);
    await client.delete(MUTATING, { name: op.name }).catch(() => undefined);
    await deleteNamespace(client, ns);
    client.close();
  });

  test('a refused object is not stored and the message reaches the client; an accepted one is mutated', async () => {
    await assert.rejects(client.create(configMaps, cm('bad', { color: 'plaid' }), { namespace: ns }), /plaid is not a colour we stock/);
    await assert.rejects(client.get(configMaps, { namespace: ns, name: 'bad' }), /not found/i);
    const created = await client.create<ConfigMap>(configMaps, cm('good', { color: 'teal' }), { namespace: ns });
    assert.equal(created.metadata.labels?.['mutated'], 'yes');
    // Objects outside the selector are never sent to the webhook.
    const other = await client.create<ConfigMap>(
      configMaps,
      { metadata: { name: 'other', namespace: ns }, data: { color: 'plaid' } },
      { namespace: ns },
    );
    assert.equal(other.metadata.labels?.['mutated'], undefined);
  });

  test('a dry run is validated like a real request, and the handler is told it is one', async () => {
    await assert.rejects(client.create(configMaps, cm('dry-bad', { color: 'plaid' }), { namespace: ns, dryRun: true }), /plaid/);
    await client.create(configMaps, cm('dry-good', { color: 'teal' }), { namespace: ns, dryRun: true });
    assert.ok(seen.some((s) => s.name === 'dry-good' && s.dryRun));
    await assert.rejects(client.get(configMaps, { namespace: ns, name: 'dry-good' }), /not found/i);
  });

  test('rotating the serving certificate during a burst of creates fails none of them', async () => {
    const before = op.admission?.caBundle;
    let rotations = 0;
    const burst = Array.from({ length: 40 }, (_, i) =>
      client.create(configMaps, cm(`burst-${i}`, { color: 'teal' }), { namespace: ns }).then(() => 'ok' as const),
    );
    const rotating = (async () => {
      for (let i = 0; i < 5; i++) if (await op.admission?.refresh({ renew: true })) rotations++;
    })();
    const results = await Promise.allSettled([...burst, rotating]);
    assert.deepEqual(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
      [],
    );
    assert.equal(rotations, 5);
    assert.equal(op.admission?.caBundle, before, 'the CA (and so the configurations) stayed');
  });

  test('a webhook server that cannot listen (its port taken) stops the operator with a ConfigurationError', async () => {
    const cluster = await useTestCluster();
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    const second = createOperator({ name: `admission-port-${ns}`, logger: silentLogger });
    second.resource<ConfigMap>(configMaps).validate(() => undefined, { id: 'none', objectSelector: { matchLabels: { never: ns } } });
    try {
      await assert.rejects(
        second.run({
          kubeconfig: { path: cluster.kubeconfigPath },
          namespaces: [ns],
          admission: { endpoint: { local: true }, certificates: { ephemeral: true }, port },
        }),
        (error: unknown) => error instanceof ConfigurationError && /admission server did not start.*EADDRINUSE/.test(error.message),
      );
    } finally {
      blocker.close();
      await client.delete(VALIDATING, { name: second.name }).catch(() => undefined);
    }
  });

  test('replicas keeping certificates in one Secret share one CA', async () => {
    const secret = { namespace: ns, name: 'webhook-certs' };
    const hosts = ['svc.ns.svc'];
    const [a, b] = await Promise.all([
      new SecretCertificates({ client, secret, hosts }).current(),
      new SecretCertificates({ client, secret, hosts }).current(),
    ]);
    assert.equal(a.caPem, b.caPem);
    const ca = new X509Certificate(a.caPem);
    assert.ok(new X509Certificate(a.certPem).verify(ca.publicKey));
    assert.ok(new X509Certificate(b.certPem).verify(ca.publicKey));
  });

  test('with the webhook down, each policy applies: Fail refuses, Ignore lets through', async () => {
    stop.abort();
    await running;
    await assert.rejects(client.create(configMaps, cm('while-down', { color: 'teal' }), { namespace: ns }), /failed calling webhook/);
    // The mutation alone (Ignore) would let it through: drop the validating configuration and try again.
    await client.delete(VALIDATING, { name: op.name });
    await waitUntil(
      async () => {
        const created = await client
          .create<ConfigMap>(configMaps, cm('while-down', { color: 'teal' }), { namespace: ns })
          .catch(() => undefined);
        return created ? created.metadata.labels?.['mutated'] === undefined : false;
      },
      { message: 'created without the mutation', timeoutMs: 30_000 },
    );
  });
});
