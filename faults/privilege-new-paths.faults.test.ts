// Privilege on the new paths, as restricted users of an operator run with cluster-held keys and rollouts: consent to
// adoption is only the Secret's to give; a ConfigMap writer can neither get a value decrypted for their key nor make a
// key retire; a Deployment editor learns nothing of a value from its hash and cannot make the operator touch a
// Deployment that does not use the Secret.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '@capstan/agesecret';
import { ForbiddenError, type ApiClient, type KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import { userWithRole, waitCondition, wrongAccess, type AccessCase } from './access.js';
import { recordFigure } from './figures.js';
import { isPlainHash } from './hygiene.js';
import {
  backdateKey,
  CONFIGMAPS,
  createManagedNamespace,
  KEY_RECORDS,
  keySecret,
  lines,
  MANAGED_KEY_SECRET,
  RECIPIENTS_CONFIGMAP,
  waitPublished,
} from './managed-keys.js';
import { AGESECRET_NS, startAndWaitReady, startRig, type Rig } from './rig.js';
import {
  AGESECRETS,
  ageSecretBody,
  ageSecretFor,
  b64,
  createNamespaceWithKey,
  DEPLOYMENTS,
  deploymentUsing,
  newKeys,
  SECRETS,
  secretHashAnnotation,
  type Declared,
  type Keys,
} from './workload.js';

const ADOPT = 'age-secret.pyvo.io/adopt';
type SecretObj = KubeObject & { data?: Record<string, string> };
type DeploymentObj = KubeObject & { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };

describe('privilege on adoption, cluster-held keys and rollouts', { timeout: 1_800_000 }, () => {
  let rig: Rig;
  let keys: Keys;
  const users: ApiClient[] = [];
  const checks: string[] = [];

  before(async () => {
    rig = await startRig({ featureArgs: ['--managed-keys-label', '--managed-key-retire-grace=0', '--rollouts'] });
    keys = await newKeys();
    await startAndWaitReady(rig.agesecret);
  });

  after(async () => {
    for (const u of users) u.close();
    await rig?.close();
  });

  const unowned = (namespace: string, name: string, annotations?: Record<string, string>) =>
    rig.client.create<SecretObj>(
      SECRETS,
      { metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, data: { value: b64('original') } } as unknown as SecretObj,
      { namespace },
    );
  const assertUntouched = async (original: SecretObj) => {
    const now = await rig.client.get<SecretObj>(SECRETS, { namespace: original.metadata.namespace!, name: original.metadata.name! });
    assert.equal(now.metadata.resourceVersion, original.metadata.resourceVersion, `${original.metadata.name} was not written`);
    assert.deepEqual(now.data, original.data);
    assert.equal(now.metadata.ownerReferences, undefined);
  };

  test('adoption: consent on the AgeSecret side, or naming another AgeSecret, takes nothing over', async () => {
    const ns = await createNamespaceWithKey(rig.client, 'adopt', keys);
    const alice = await userWithRole(rig, ns, 'alice', [
      { apiGroups: ['pyvo.io'], resources: ['agesecrets'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'] },
    ]);
    users.push(alice);
    await assert.rejects(alice.get(SECRETS, { namespace: ns, name: 'legacy-db' }), ForbiddenError);
    const plain = await unowned(ns, 'legacy-db');
    const consented = await unowned(ns, 'consented', { [ADOPT]: 'rightful' });
    const grab = async (d: Declared, annotations: Record<string, string>) => {
      const body = await ageSecretBody(d, keys);
      body.metadata.annotations = annotations;
      await alice.create(AGESECRETS, body, { namespace: ns });
      await waitCondition(rig, ns, d.name, 'False', 'SecretNotOwned');
    };
    const d = (name: string, secretName: string): Declared => ({
      namespace: ns,
      name,
      secretName,
      key: 'value',
      value: `PLAINTEXT-${name}`,
    });
    // The consent written on her own AgeSecret (naming itself, or the Secret) is no consent.
    await grab(d('grab', 'legacy-db'), { [ADOPT]: 'grab' });
    await grab(d('grab-2', 'legacy-db'), { [ADOPT]: 'legacy-db' });
    // A Secret that consents to `rightful` is not taken by another AgeSecret, created or renamed onto it.
    await grab(d('other', 'consented'), { [ADOPT]: 'other' });
    await alice.create(AGESECRETS, await ageSecretBody(d('mine', 'mine'), keys), { namespace: ns });
    await waitCondition(rig, ns, 'mine', 'True');
    await alice.patch(AGESECRETS, { namespace: ns, name: 'mine' }, { spec: { secretName: 'consented' } }, { type: 'merge' });
    await waitCondition(rig, ns, 'mine', 'False', 'SecretNotOwned');
    await assertUntouched(plain);
    await assertUntouched(consented);
    // Positive control: the AgeSecret the Secret names does adopt it (the rule is live, the refusals are not vacuous).
    await alice.create(AGESECRETS, await ageSecretBody(d('rightful', 'consented'), keys), { namespace: ns });
    await waitCondition(rig, ns, 'rightful', 'True');
    const adopted = await rig.client.get<SecretObj>(SECRETS, { namespace: ns, name: 'consented' });
    assert.equal(adopted.data?.['value'], b64('PLAINTEXT-rightful'));
    await assertUntouched(plain);
    checks.push(
      'adoption: 3 AgeSecrets with consent on their own side or naming another refused, Secrets byte-identical; the named one adopts',
    );
  });

  test('a ConfigMap writer gets no value decrypted for their key and cannot make a key retire', async () => {
    const crashed = () => !rig.agesecret.running;
    const { namespace: ns, recipients: first } = await createManagedNamespace(rig.client, 'cm-writer', crashed);
    const bob = await userWithRole(rig, ns, 'bob', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    ]);
    users.push(bob);
    await assert.rejects(bob.get(SECRETS, { namespace: ns, name: MANAGED_KEY_SECRET }), ForbiddenError);
    // An AgeSecret only the first identity opens; then a renewal, so that one identity is current and one retiring.
    const old: Declared = { namespace: ns, name: 'old', secretName: 'old', key: 'value', value: 'PLAINTEXT-OLD' };
    await rig.client.create(AGESECRETS, await ageSecretFor(old, first, MANAGED_KEY_SECRET), { namespace: ns });
    await waitCondition(rig, ns, 'old', 'True');
    await backdateKey(rig.client, ns);
    const published = await waitPublished(rig.client, ns, (d) => lines(d['retiring']).join() === first.join(), crashed);
    const current = lines(published['recipients']);
    const held = await keySecret(rig.client, ns);
    assert.equal(held.identities.length, 2);

    // Bob publishes his own recipient and declares the current one retiring; then deletes the ConfigMap.
    const bobKeys = await generateKeyPair();
    const restored = (d: Record<string, string>) =>
      lines(d['recipients']).join() === current.join() && lines(d['retiring']).join() === first.join();
    const tampered = await bob.replace<KubeObject>(CONFIGMAPS, {
      ...(await bob.get<KubeObject>(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP })),
      data: { recipients: bobKeys.recipient, retiring: [...current, ...first].join('\n') },
    } as KubeObject);
    await waitUntil(
      async () => {
        const cm = await rig.client.get<KubeObject & { data?: Record<string, string> }>(CONFIGMAPS, {
          namespace: ns,
          name: RECIPIENTS_CONFIGMAP,
        });
        return cm.metadata.resourceVersion !== tampered.metadata.resourceVersion && restored(cm.data ?? {}) ? true : undefined;
      },
      { timeoutMs: 180_000, message: 'the operator restored its ConfigMap', failFast: crashed },
    );
    await bob.delete(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP });
    await waitPublished(rig.client, ns, restored, crashed);

    // A developer who trusted the tampered list encrypted for bob: the cluster decrypts nothing of it.
    const forBob: Declared = { namespace: ns, name: 'for-bob', secretName: 'for-bob', key: 'value', value: 'PLAINTEXT-FOR-BOB' };
    await rig.client.create(AGESECRETS, await ageSecretFor(forBob, [bobKeys.recipient], MANAGED_KEY_SECRET), { namespace: ns });
    await waitCondition(rig, ns, 'for-bob', 'False', 'NoMatchingKey');
    assert.equal(await rig.client.tryGet(SECRETS, { namespace: ns, name: 'for-bob' }), undefined);

    // Nothing retired: the key holds both identities with the same records, and `old` still opens.
    const after = await keySecret(rig.client, ns);
    assert.deepEqual(after.identities.sort(), held.identities.sort(), 'the key Secret keeps its identities');
    assert.equal(after.secret.metadata.annotations?.[KEY_RECORDS], held.secret.metadata.annotations?.[KEY_RECORDS]);
    await waitCondition(rig, ns, 'old', 'True');
    const oldSecret = await rig.client.get<SecretObj>(SECRETS, { namespace: ns, name: 'old' });
    assert.equal(oldSecret.data?.['value'], b64('PLAINTEXT-OLD'));
    checks.push('ConfigMap writer: tampered and deleted list restored; for-bob NoMatchingKey, no Secret; both identities and records kept');
  });

  test('rollouts: a Deployment editor learns nothing from the hash and cannot make the operator touch other Deployments', async () => {
    const ns = await createNamespaceWithKey(rig.client, 'rollouts', keys);
    const carol = await userWithRole(rig, ns, 'carol', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
    ]);
    users.push(carol);
    await assert.rejects(carol.get(SECRETS, { namespace: ns, name: 'app-config' }), ForbiddenError);
    const pin: Declared = { namespace: ns, name: 'app', secretName: 'app-config', key: 'value', value: 'PLAINTEXT-4821' };
    await rig.client.create(AGESECRETS, await ageSecretBody(pin, keys), { namespace: ns });
    await waitCondition(rig, ns, 'app', 'True');
    const ANNOTATION = secretHashAnnotation('app-config');
    const hashOf = async (name: string) =>
      (await carol.get<DeploymentObj>(DEPLOYMENTS, { namespace: ns, name })).spec?.template?.metadata?.annotations?.[ANNOTATION];
    const usesCreated = await carol.create(DEPLOYMENTS, deploymentUsing(ns, 'uses', 'app-config'), { namespace: ns });
    // Opted in but not using the Secret, with a forged hash for it; and one using it without opting in.
    const unrelated = deploymentUsing(ns, 'unrelated', 'another-secret') as DeploymentObj;
    unrelated.spec!.template!.metadata!.annotations = { [ANNOTATION]: 'forged' };
    const created = [
      await carol.create<DeploymentObj>(DEPLOYMENTS, unrelated, { namespace: ns }),
      await carol.create<DeploymentObj>(DEPLOYMENTS, deploymentUsing(ns, 'no-consent', 'app-config', false) as DeploymentObj, {
        namespace: ns,
      }),
      await carol.create<DeploymentObj>(DEPLOYMENTS, deploymentUsing(ns, 'uses-nothing', undefined) as DeploymentObj, { namespace: ns }),
    ];
    const first = await waitUntil(() => hashOf('uses'), {
      timeoutMs: 180_000,
      message: 'the hash recorded',
      failFast: () => !rig.agesecret.running,
    });
    // What carol sees is no plain hash of the value: guessing the PIN offline and hashing gets her nothing.
    const data = (await rig.client.get<SecretObj>(SECRETS, { namespace: ns, name: 'app-config' })).data!;
    assert.ok(!isPlainHash(first, data), 'the hash is keyed');
    assert.ok(!first.includes('4821') && !first.includes(b64(pin.value)));
    // The value changes: `uses` rolls; the others keep every byte (same resourceVersion).
    await rig.client.patch(
      AGESECRETS,
      { namespace: ns, name: 'app' },
      { spec: (await ageSecretBody({ ...pin, value: 'PLAINTEXT-4822' }, keys)).spec as object },
      {
        type: 'merge',
      },
    );
    const second = await waitUntil(async () => ((await hashOf('uses')) !== first ? hashOf('uses') : undefined), {
      timeoutMs: 180_000,
      message: 'the using Deployment rolled',
      failFast: () => !rig.agesecret.running,
    });
    const newData = (await rig.client.get<SecretObj>(SECRETS, { namespace: ns, name: 'app-config' })).data!;
    assert.ok(second && !isPlainHash(second, newData), 'the new hash is keyed too');
    // Same generation and spec (the forged hash included), and no field written by the operator, whose field manager
    // is the one that wrote `uses` (the Deployment controller's own writes are not the operator's).
    const writers = (d: KubeObject) => new Set((d.metadata.managedFields ?? []).map((f) => (f as { manager?: string }).manager));
    const before = writers(usesCreated);
    const operatorManagers = [...writers(await rig.client.get(DEPLOYMENTS, { namespace: ns, name: 'uses' }))].filter(
      (m) => !before.has(m) && m !== 'kube-controller-manager',
    );
    assert.notDeepEqual(operatorManagers, [], 'positive control: the operator wrote `uses`');
    for (const c of created) {
      const now = await rig.client.get<DeploymentObj>(DEPLOYMENTS, { namespace: ns, name: c.metadata.name! });
      assert.equal(now.metadata.generation, c.metadata.generation, `${c.metadata.name}: same generation`);
      assert.deepEqual(now.spec, c.spec, `${c.metadata.name}: same spec`);
      assert.deepEqual(
        operatorManagers.filter((m) => writers(now).has(m)),
        [],
        `${c.metadata.name}: not written by the operator`,
      );
    }
    checks.push('rollouts: hash keyed (no plain sha256 of value or data), 3 Deployments not using the Secret or not opted in untouched');
  });

  test('the RBAC of an install with --managed-keys-label and --rollouts', async () => {
    const op = `system:serviceaccount:${AGESECRET_NS}:agesecret-operator`;
    const ns = 'default';
    const matrix: AccessCase[] = [
      [op, 'patch', 'apps', 'deployments', ns, undefined, true],
      [op, 'watch', 'apps', 'statefulsets', ns, undefined, true],
      [op, 'create', '', 'configmaps', ns, undefined, true],
      [op, 'update', '', 'configmaps', ns, undefined, true],
      [op, 'watch', '', 'namespaces', '', undefined, true],
      [op, 'create', 'apps', 'deployments', ns, undefined, false],
      [op, 'delete', 'apps', 'deployments', ns, undefined, false],
      [op, 'update', 'apps', 'deployments', ns, undefined, false],
      [op, 'delete', '', 'configmaps', ns, undefined, false],
      [op, 'patch', '', 'namespaces', '', undefined, false],
      [op, 'create', '', 'pods', ns, undefined, false],
      [op, 'create', '', 'pods/exec', ns, undefined, false],
    ];
    assert.deepEqual(await wrongAccess(rig.client, matrix), []);
    checks.push(`${matrix.length} access reviews of the widened install`);
  });

  test('privilege on the new paths: figures', (t) => {
    recordFigure(
      { scenario: '8b. privilege on the new paths', objects: 14, faults: checks.join('; '), recoveries: 'n/a', convergeMs: 0 },
      (line) => t.diagnostic(line),
    );
    assert.equal(checks.length, 4);
  });
});
