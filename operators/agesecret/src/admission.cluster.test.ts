// The AgeSecret validating webhook against the real API server: `kubectl apply` of a bad AgeSecret fails with the
// condition's reason and message; dry runs are validated without side effects; with the webhook down and its
// policy set to Ignore the object is stored and the Ready condition refuses it the same way.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { kubectlPath, useTestCluster, type ClusterHandle } from '@capstan/localcluster';
import { ApiClient, silentLogger, type KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import { generateKeyPair } from './crypto/identities.js';
import { createAgeSecretOperator, type AgeSecretOperator } from './operator.js';
import { ADOPT_ANNOTATION } from './reconcile/ownership.js';
import {
  AGESECRETS,
  ageSecret,
  createNamespace,
  deleteNamespaces,
  encryptFor,
  installCrd,
  putKeySecret,
  SECRETS,
  uniqueName,
  waitReady,
} from './test-fixtures.js';

const run = promisify(execFile);
const VALIDATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' };

describe('the AgeSecret validating webhook', () => {
  let cluster: ClusterHandle;
  let admin: ApiClient;
  let ns: string;
  let key: { identity: string; recipient: string };
  let agesecret: AgeSecretOperator;
  let stop: AbortController;
  let running: Promise<void>;
  const kubectl = async (args: string[], manifest: unknown) => {
    const child = run(kubectlPath(), ['--kubeconfig', cluster.kubeconfigPath, ...args, '-f', '-'], { encoding: 'utf8' });
    child.child.stdin?.end(stringify(manifest));
    return child.then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
  };
  // Its own configuration name: other tests run AgeSecret operators (without webhooks) on this cluster meanwhile.
  const config = () => `agesecret-admission-${ns}`;
  const start = async (admission: boolean) => {
    stop = new AbortController();
    agesecret = createAgeSecretOperator({
      kubeconfig: { path: cluster.kubeconfigPath },
      namespaces: [ns],
      logger: silentLogger,
      backoff: { baseMs: 200, capMs: 2000 },
      ...(admission
        ? { admission: { endpoint: { local: true }, certificates: { ephemeral: true }, port: 0, configurationName: config() } }
        : {}),
    });
    running = agesecret.operator.run({ signal: stop.signal });
    await agesecret.operator.ready;
  };

  before(async () => {
    cluster = await useTestCluster();
    admin = await ApiClient.create(cluster.kubeconfigPath);
    await installCrd(admin);
    ns = await createNamespace(admin, 'asec-admission');
    key = await generateKeyPair();
    await putKeySecret(admin, ns, 'key', key.identity);
    await start(true);
    // The API server calls the webhook once it has loaded the configuration: wait for a refusal to prove it.
    await admin.create(SECRETS, { metadata: { name: 'taken', namespace: ns }, data: {} } as KubeObject, { namespace: ns });
    const probe = ageSecret(ns, 'probe', {
      secretName: 'taken',
      secretKey: 'v',
      ageSecretRef: 'key',
      secret: await encryptFor([key.recipient], '1'),
    });
    await waitUntil(async () => !(await kubectl(['apply', '--dry-run=server'], probe)).ok, {
      message: 'the webhook in use',
      timeoutMs: 60_000,
    });
  });

  after(async () => {
    stop.abort();
    await running;
    await admin.delete(VALIDATING, { name: config() }).catch(() => undefined);
    await deleteNamespaces(admin, [ns]);
    admin.close();
  });

  test('kubectl apply refuses what the CRD cannot see, with the condition reason and message', async () => {
    const value = await encryptFor([key.recipient], '42');
    const cases: [string, Parameters<typeof ageSecret>[2], RegExp][] = [
      [
        'taken-target',
        { secretName: 'taken', secretKey: 'v', ageSecretRef: 'key', secret: value },
        /SecretNotOwned: Secret taken already exists and is not owned by this AgeSecret/,
      ],
      [
        'bound-elsewhere',
        {
          secretName: 'bound',
          secretKey: 'v',
          ageSecretRef: 'key',
          secret: await encryptFor([key.recipient], '42', { namespace: ns, name: 'another' }),
        },
        /BindingMismatch: spec\.secret: ciphertext is bound to .*another but used by .*bound-elsewhere/,
      ],
      [
        'duplicate-key',
        { secretName: 'dup', secretKey: 'v', ageSecretRef: 'key', secret: value, data: { v: value } },
        /DuplicateKey: key v is given twice/,
      ],
    ];
    for (const [name, spec, message] of cases) {
      const result = await kubectl(['apply'], ageSecret(ns, name, spec));
      assert.equal(result.ok, false, `${name} refused`);
      assert.match(result.out, /admission webhook "agesecrets\.agesecret-operator\.capstan\.dev" denied the request/);
      assert.match(result.out, message);
      assert.doesNotMatch(result.out, /42/, 'no plaintext in the refusal');
      await assert.rejects(admin.get(AGESECRETS, { namespace: ns, name }), /not found/i);
    }
    // Consent on the Secret (its adoption annotation) admits the AgeSecret it names, and only that one.
    await admin.create(
      SECRETS,
      { metadata: { name: 'handed', namespace: ns, annotations: { [ADOPT_ANNOTATION]: 'heir' } }, data: {} } as KubeObject,
      { namespace: ns },
    );
    const other = await kubectl(
      ['apply'],
      ageSecret(ns, 'other', { secretName: 'handed', secretKey: 'v', ageSecretRef: 'key', secret: value }),
    );
    assert.equal(other.ok, false, 'consent names another AgeSecret');
    assert.match(other.out, /SecretNotOwned/);
    const heir = await kubectl(
      ['apply'],
      ageSecret(ns, 'heir', { secretName: 'handed', secretKey: 'v', ageSecretRef: 'key', secret: value }),
    );
    assert.equal(heir.ok, true, heir.out);
    await waitReady(admin, ns, 'heir', 'True');
    // A good one, and one whose key Secret is not there yet (it may arrive later: admitted, the condition waits).
    assert.equal(
      (await kubectl(['apply'], ageSecret(ns, 'good', { secretName: 'good', secretKey: 'v', ageSecretRef: 'key', secret: value }))).ok,
      true,
    );
    const late = ageSecret(ns, 'late', { secretName: 'late', secretKey: 'v', ageSecretRef: 'not-yet', secret: value });
    assert.equal((await kubectl(['apply'], late)).ok, true);
    await waitReady(admin, ns, 'good', 'True');
  });

  test('a dry run is validated and changes nothing', async () => {
    const value = await encryptFor([key.recipient], '7');
    const bad = await kubectl(
      ['apply', '--dry-run=server'],
      ageSecret(ns, 'dry-bad', { secretName: 'taken', secretKey: 'v', ageSecretRef: 'key', secret: value }),
    );
    assert.equal(bad.ok, false);
    assert.match(bad.out, /SecretNotOwned/);
    const good = await kubectl(
      ['apply', '--dry-run=server'],
      ageSecret(ns, 'dry-good', { secretName: 'dry-good', secretKey: 'v', ageSecretRef: 'key', secret: value }),
    );
    assert.equal(good.ok, true, good.out);
    await assert.rejects(admin.get(AGESECRETS, { namespace: ns, name: 'dry-good' }), /not found/i);
    await assert.rejects(admin.get(SECRETS, { namespace: ns, name: 'dry-good' }), /not found/i);
  });

  test('webhook down: Fail (the default) refuses; set to Ignore, the object is stored and its condition refuses it', async () => {
    stop.abort();
    await running;
    const name = uniqueName('down');
    const manifest = ageSecret(ns, name, {
      secretName: 'taken',
      secretKey: 'v',
      ageSecretRef: 'key',
      secret: await encryptFor([key.recipient], '5'),
    });
    const refused = await kubectl(['apply'], manifest);
    assert.equal(refused.ok, false);
    assert.match(refused.out, /failed calling webhook/);
    // An administrator who prefers availability sets the policy to Ignore (capstan would put Fail back on start).
    const current = await admin.get<KubeObject & { webhooks: { failurePolicy: string }[] }>(VALIDATING, { name: config() });
    await admin.replace(VALIDATING, { ...current, webhooks: current.webhooks.map((w) => ({ ...w, failurePolicy: 'Ignore' })) });
    await waitUntil(async () => (await kubectl(['apply'], manifest)).ok, {
      message: 'stored while the webhook is down',
      timeoutMs: 30_000,
    });
    // The operator back without its webhook: the Ready condition refuses it, with the same reason.
    await start(false);
    const ready = await waitReady(admin, ns, name, 'False', 'SecretNotOwned');
    assert.match(ready.message ?? '', /Secret taken already exists and is not owned by this AgeSecret/);
  });
});
