// The generated RBAC is sufficient and minimal: the operator runs as its ServiceAccount bound only to the roles
// `capstan generate` derives from src/install.ts, and the API server's audit log shows no request refused and
// every granted verb used.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster, type ClusterHandle } from '@capstan/localcluster';
import { ApiClient, ForbiddenError, silentLogger, type KubeObject, type Operator } from 'capstan';
import { applyGeneratedRbac, describeUnused, rbacCoverage, waitUntil, type AppliedRbac } from 'capstan/testing';
import { generateKeyPair } from './crypto/identities.js';
import { install } from './install.js';
import { CONFIGMAPS } from './keys/key-keeper.js';
import { DEFAULT_MANAGED_KEY_SECRET, MANAGED_KEYS_LABEL, RECIPIENTS_CONFIGMAP } from './keys/namespace-keys.js';
import { RETIRED_FINALIZER } from './operator.js';
import {
  AGESECRETS,
  ageSecret,
  b64,
  createNamespace,
  deleteNamespaces,
  encryptFor,
  eventsFor,
  eventually,
  installCrd,
  NAMESPACES,
  putKeySecret,
  SECRETS,
  unb64,
  uniqueName,
  waitEvent,
  waitGone,
  waitReady,
  waitSecret,
} from './test-fixtures.js';

type ConfigMap = KubeObject & { data?: Record<string, string> };
const VALIDATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' };

describe('the generated RBAC of the AgeSecret operator', () => {
  let cluster: ClusterHandle;
  let admin: ApiClient;
  let ns: string;
  let opNs: string;
  let applied: AppliedRbac;
  let asOperator: ApiClient;
  const stop = new AbortController();
  let running: Promise<void> | undefined;

  before(async () => {
    cluster = await useTestCluster();
    admin = await ApiClient.create(cluster.kubeconfigPath);
    await installCrd(admin);
    [ns, opNs] = await Promise.all([createNamespace(admin, 'asec-rbac'), createNamespace(admin, 'asec-rbac-sys')]);
    // The install's args, except that the API server reaches the webhook on this machine (no Service routing here).
    const args = (install.args ?? []).concat('--webhook-local', '--webhook-port=0', `--webhook-cert-secret=${install.name}-webhook-cert`);
    applied = await applyGeneratedRbac({ client: admin, install, namespace: opNs, args });
    const kubeconfig = await cluster.serviceAccountKubeconfig(opNs, applied.serviceAccount.name);
    asOperator = await ApiClient.create(kubeconfig);
    // The operator exactly as the install builds it (so its declarations are the generated roles' source).
    const operator: Operator = await applied.install.operator({ namespace: opNs, args: applied.install.args ?? [] });
    running = operator.run({
      signal: stop.signal,
      kubeconfig: { path: kubeconfig },
      namespaces: [ns, opNs],
      logger: silentLogger,
      // Short periods so that the scenario also renews the Lease (get, update), not only creates it.
      leaderElection: { namespace: opNs, leaseName: install.name, leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 },
    });
    await operator.ready;
  });

  after(async () => {
    stop.abort();
    await running;
    await deleteNamespaces(admin, [ns, opNs]);
    await applied?.remove();
    await admin.delete(VALIDATING, { name: install.name }).catch(() => undefined);
    asOperator?.close();
    admin.close();
  });

  test('the end-to-end scenario as the ServiceAccount: Secrets written, repaired, restored, renamed; keys missing then found', async () => {
    const key = await generateKeyPair();
    await putKeySecret(admin, opNs, 'agesecret-default-identity', key.identity);
    const name = uniqueName('rbac');
    await admin.create(
      AGESECRETS,
      ageSecret(ns, name, { secretName: name, secretKey: 'numbers', secret: await encryptFor([key.recipient], '42') }),
    );
    const secret = await waitSecret(admin, ns, name, (s) => Boolean(s.data?.['numbers']));
    assert.equal(unb64(secret.data?.['numbers']), '42');
    await waitReady(admin, ns, name, 'True');
    // Drift, twice: the Secret is updated back each time, and the second identical Event aggregates (patch).
    for (const value of ['tampered', 'tampered again']) {
      await admin.patch(SECRETS, { namespace: ns, name }, { data: { numbers: b64(value) } });
      await waitSecret(admin, ns, name, (s) => unb64(s.data?.['numbers']) === '42');
    }
    await waitUntil(
      async () => (await eventsFor(admin, ns, name)).some((e) => e.reason === 'SecretUpdated' && (e as { count?: number }).count! >= 2),
      {
        timeoutMs: 60_000,
        message: 'a SecretUpdated Event counted twice',
      },
    );
    // Deleted behind its back: restored once a live read shows the AgeSecret is still there (get of the AgeSecret).
    await admin.delete(SECRETS, { namespace: ns, name });
    await waitSecret(admin, ns, name, (s) => unb64(s.data?.['numbers']) === '42');
    // A rename: the new Secret is created, the old one deleted.
    await admin.patch(AGESECRETS, { namespace: ns, name }, { spec: { secretName: `${name}-renamed` } });
    await waitSecret(admin, ns, `${name}-renamed`, (s) => Boolean(s.data?.['numbers']));
    await waitGone(admin, SECRETS, ns, name);
    // A key Secret that does not exist yet: read once from the API server, refused by condition, then found.
    const late = uniqueName('late');
    const lateKey = await generateKeyPair();
    await admin.create(
      AGESECRETS,
      ageSecret(ns, late, {
        secretName: late,
        secretKey: 'v',
        ageSecretRef: 'late-key',
        secret: await encryptFor([lateKey.recipient], '7'),
      }),
    );
    await waitEvent(admin, ns, late, 'KeySecretNotFound');
    await putKeySecret(admin, ns, 'late-key', lateKey.identity);
    await waitReady(admin, ns, late, 'True');
    // An AgeSecret of release 0.1 with its finalizer: the operator removes it (patch of the AgeSecret).
    const old = uniqueName('old');
    await admin.create(AGESECRETS, {
      ...ageSecret(ns, old, { secretName: old, secretKey: 'v', secret: await encryptFor([key.recipient], '1') }),
      metadata: { name: old, namespace: ns, finalizers: [RETIRED_FINALIZER] },
    });
    await waitUntil(async () => !(await admin.get(AGESECRETS, { namespace: ns, name: old })).metadata.finalizers?.length, {
      timeoutMs: 60_000,
      message: 'the retired finalizer removed',
    });
    await admin.delete(AGESECRETS, { namespace: ns, name: old });
    await waitGone(admin, AGESECRETS, ns, old);
  });

  test('cluster-held keys as the ServiceAccount: a labelled namespace gets its key and published recipients', async () => {
    const recipientsOf = async () =>
      (await admin.tryGet<ConfigMap>(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP }))?.data?.['recipients']?.trim().split('\n');
    // The opt-in the install enables (--managed-keys-label): the Namespace watch, the key Secret created, the ConfigMap created.
    await admin.patch(NAMESPACES, { name: ns }, { metadata: { labels: { [MANAGED_KEYS_LABEL]: 'true' } } });
    const recipients = await eventually('recipients published', recipientsOf);
    await waitSecret(admin, ns, DEFAULT_MANAGED_KEY_SECRET, (s) => Boolean(s.data?.['secretKey']));
    const name = uniqueName('held');
    await admin.create(
      AGESECRETS,
      ageSecret(ns, name, {
        secretName: name,
        secretKey: 'v',
        ageSecretRef: DEFAULT_MANAGED_KEY_SECRET,
        secret: await encryptFor(recipients, 'held-by-cluster'),
      }),
    );
    await waitReady(admin, ns, name, 'True');
    assert.equal(unb64((await waitSecret(admin, ns, name, (s) => Boolean(s.data?.['v']))).data?.['v']), 'held-by-cluster');
    // A tampered ConfigMap is put back (update of the ConfigMap).
    await admin.patch(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP }, { data: { recipients: 'age1attacker\n' } });
    await eventually('the recipients restored', async () => ((await recipientsOf())?.join() === recipients.join() ? true : undefined));
  });

  test('sufficient and minimal: nothing forbidden, every granted verb used (from the audit log)', async (t) => {
    if (!cluster.auditLogPath) return t.skip('an existing cluster: no audit log to read');
    const coverage = await rbacCoverage(cluster.auditLogPath!, applied);
    assert.deepEqual(coverage.forbidden, [], 'no request refused');
    assert.deepEqual(describeUnused(coverage), [], 'every generated grant was used');
  });

  test('and no more: it may not create AgeSecrets, touch CRDs, or get or delete ConfigMaps', async () => {
    await assert.rejects(asOperator.create(AGESECRETS, ageSecret(ns, 'nope', { secretName: 'nope' }), { namespace: ns }), ForbiddenError);
    await assert.rejects(
      asOperator.list({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }),
      ForbiddenError,
    );
    // ConfigMaps: watched (that one name) and written, never read one by one nor deleted.
    const recipients = { namespace: ns, name: RECIPIENTS_CONFIGMAP };
    await assert.rejects(asOperator.get(CONFIGMAPS, recipients), ForbiddenError);
    await assert.rejects(asOperator.delete(CONFIGMAPS, recipients), ForbiddenError);
  });
});
