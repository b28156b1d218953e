// Privilege: a user who may only create AgeSecrets cannot overwrite an unowned Secret, use another namespace's key or
// replay a bound ciphertext; the operators act as their own ServiceAccounts, whose RBAC is least-privilege.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, ForbiddenError, type KubeObject } from 'capstan';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { userWithRole, waitCondition, wrongAccess, type AccessCase } from './access.js';
import { recordFigure } from './figures.js';
import type { OperatorProcess } from 'capstan/testing';
import { REPO_ROOT } from './repo.js';
import { AGESECRET_NS, HANDSHAKE_NS, startAndWaitReady, startRig, type Rig } from './rig.js';
import { inspectState } from './state-check.js';
import { AGESECRETS, ageSecretBody, b64, createNamespaceWithKey, newKeys, SECRETS, type Declared, type Keys } from './workload.js';

type Cond = { type: string; status: string; reason?: string; observedGeneration?: number };
type AgeSecretObj = KubeObject & { spec?: Record<string, unknown>; status?: { conditions?: Cond[] } };
type SecretObj = KubeObject & { data?: Record<string, string> };

describe('privilege', { timeout: 1_800_000 }, () => {
  let rig: Rig;
  let keys: Keys;
  let alice: ApiClient;
  let nsA: string;
  let nsB: string;
  const checks: string[] = [];

  before(async () => {
    rig = await startRig({ handshake: true });
    keys = await newKeys();
    await Promise.all([startAndWaitReady(rig.agesecret), startAndWaitReady(rig.handshake!)]);
    // Both namespaces trust the same age identity (a shared team key): only binding stops a replay then.
    nsA = await createNamespaceWithKey(rig.client, 'priv-a', keys);
    nsB = await createNamespaceWithKey(rig.client, 'priv-b', keys);
    alice = await userWithRole(rig, nsA, 'alice', [
      { apiGroups: ['pyvo.io'], resources: ['agesecrets'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'] },
    ]);
  });

  after(async () => {
    alice?.close();
    await rig?.close();
  });

  const readyOf = (namespace: string, name: string, status: 'True' | 'False', reason?: string) =>
    waitCondition(rig, namespace, name, status, reason);

  test('alice cannot read Secrets, nor get an existing unowned Secret overwritten (create or rename)', async () => {
    await assert.rejects(alice.get(SECRETS, { namespace: nsA, name: 'namespace-secret' }), ForbiddenError);
    await assert.rejects(
      alice.create(SECRETS, { metadata: { name: 'x', namespace: nsA }, stringData: { a: 'b' } } as unknown as KubeObject, {
        namespace: nsA,
      }),
      ForbiddenError,
    );
    const original = await rig.client.create<SecretObj>(
      SECRETS,
      { metadata: { name: 'db-password', namespace: nsA }, data: { value: b64('original') } } as unknown as SecretObj,
      { namespace: nsA },
    );
    const steal: Declared = { namespace: nsA, name: 'steal', secretName: 'db-password', key: 'value', value: 'PLAINTEXT-STOLEN' };
    await alice.create(AGESECRETS, await ageSecretBody(steal, keys), { namespace: nsA });
    await readyOf(nsA, 'steal', 'False', 'SecretNotOwned');
    // A good one first, then renamed onto the unowned Secret.
    const mine: Declared = { namespace: nsA, name: 'mine', secretName: 'mine-secret', key: 'value', value: 'PLAINTEXT-MINE' };
    await alice.create(AGESECRETS, await ageSecretBody(mine, keys), { namespace: nsA });
    await readyOf(nsA, 'mine', 'True');
    await alice.patch(AGESECRETS, { namespace: nsA, name: 'mine' }, { spec: { secretName: 'db-password' } }, { type: 'merge' });
    await readyOf(nsA, 'mine', 'False', 'SecretNotOwned');
    const after = await rig.client.get<SecretObj>(SECRETS, { namespace: nsA, name: 'db-password' });
    assert.equal(after.metadata.resourceVersion, original.metadata.resourceVersion, 'the unowned Secret was not written');
    assert.deepEqual(after.data, { value: b64('original') });
    assert.equal(after.metadata.ownerReferences, undefined);
    checks.push('unowned Secret: create refused, rename refused, Secret byte-identical');
  });

  test('alice cannot use a key from another namespace', async () => {
    const keysB = await newKeys();
    await rig.client.patch(
      SECRETS,
      { namespace: nsB, name: 'namespace-secret' },
      { stringData: { secretKey: `${keys.identity}\n${keysB.identity}` } },
      { type: 'merge' },
    );
    const forB: Declared = { namespace: nsA, name: 'borrow-key', secretName: 'borrowed', key: 'value', value: 'PLAINTEXT-BORROW' };
    await alice.create(AGESECRETS, await ageSecretBody(forB, keysB), { namespace: nsA });
    await readyOf(nsA, 'borrow-key', 'False', 'NoMatchingKey');
    const byRef = await ageSecretBody({ ...forB, name: 'ref-key', secretName: 'ref-key' }, keysB);
    (byRef as AgeSecretObj).spec!.ageSecretRef = `${nsB}/namespace-secret`;
    await alice.create(AGESECRETS, byRef, { namespace: nsA });
    await readyOf(nsA, 'ref-key', 'False', 'CrossNamespaceKeyRef');
    for (const name of ['borrowed', 'ref-key'])
      assert.equal(await rig.client.tryGet(SECRETS, { namespace: nsA, name }), undefined, `no Secret ${name}`);
    checks.push('foreign key: NoMatchingKey; ns/name ref: CrossNamespaceKeyRef; no Secret');
  });

  test('alice cannot replay a ciphertext bound with age-secret encrypt --bind in another namespace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-bind-'));
    const plain = join(dir, 'bound.secret.yaml');
    writeFileSync(
      plain,
      stringify({
        apiVersion: 'pyvo.io/v1',
        kind: 'AgeSecret',
        metadata: { name: 'api-token', namespace: nsB },
        spec: { secretName: 'api-token', secretKey: 'value', ageSecretRef: 'namespace-secret', secret: 'PLAINTEXT-BOUND-TOKEN' },
      }),
    );
    const out = execFileSync(
      process.execPath,
      ['operators/agesecret/bin/age-secret.mjs', 'encrypt', '--bind', '-f', plain, '-r', keys.recipient],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    const bound = parseAllDocuments(out)
      .map((d) => d.toJS() as AgeSecretObj)
      .find((d) => d?.kind === 'AgeSecret')!;
    assert.match(String(bound.spec?.secret), /^ENC\[/);
    // Positive control: where it is bound, it works.
    await rig.client.create(AGESECRETS, bound, { namespace: nsB });
    await readyOf(nsB, 'api-token', 'True');
    // Replayed in alice's namespace, under the same name and another: refused, no Secret.
    for (const name of ['api-token', 'replay']) {
      await alice.create(AGESECRETS, { ...bound, metadata: { name, namespace: nsA } }, { namespace: nsA });
      await readyOf(nsA, name, 'False', 'BindingMismatch');
    }
    assert.equal(await rig.client.tryGet(SECRETS, { namespace: nsA, name: 'api-token' }), undefined);
    // Unrelated objects are intact: B's Secret has its value, A's good AgeSecret state is consistent.
    const state = await inspectState(rig.client, {
      namespaces: [nsB],
      declared: [{ namespace: nsB, name: 'api-token', secretName: 'api-token', key: 'value', value: 'PLAINTEXT-BOUND-TOKEN' }],
    });
    assert.deepEqual(state.problems, []);
    checks.push('bound ciphertext: works in place, BindingMismatch when replayed (same or other name)');
  });

  test('the operators act as their own ServiceAccounts, with least-privilege RBAC', async () => {
    for (const [proc, user] of [
      [rig.agesecret, `system:serviceaccount:${AGESECRET_NS}:agesecret-operator`],
      [rig.handshake!, `system:serviceaccount:${HANDSHAKE_NS}:legacy-handshake-operator`],
    ] as const) {
      assert.equal(await identityOf(rig, proc), user, `${proc.options.name} authenticates as ${user}`);
    }
    const sa = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;
    const agesecret = sa(AGESECRET_NS, 'agesecret-operator');
    const handshake = sa(HANDSHAKE_NS, 'legacy-handshake-operator');
    const matrix: AccessCase[] = [
      [agesecret, 'watch', 'pyvo.io', 'agesecrets', nsA, undefined, true],
      [agesecret, 'patch', 'pyvo.io', 'agesecrets/status', nsA, undefined, true],
      [agesecret, 'create', '', 'secrets', nsA, undefined, true],
      [agesecret, 'create', '', 'events', nsA, undefined, true],
      [agesecret, 'create', 'pyvo.io', 'agesecrets', nsA, undefined, false],
      [agesecret, 'delete', 'pyvo.io', 'agesecrets', nsA, undefined, false],
      [agesecret, 'update', 'pyvo.io', 'agesecrets', nsA, undefined, false],
      [agesecret, 'get', '', 'pods', nsA, undefined, false],
      [agesecret, 'get', '', 'configmaps', nsA, undefined, false],
      [agesecret, 'create', '', 'serviceaccounts/token', nsA, undefined, false],
      [agesecret, 'create', 'rbac.authorization.k8s.io', 'rolebindings', nsA, undefined, false],
      [agesecret, 'escalate', 'rbac.authorization.k8s.io', 'clusterroles', '', undefined, false],
      [agesecret, 'delete', '', 'namespaces', '', undefined, false],
      [agesecret, 'list', '', 'nodes', '', undefined, false],
      [agesecret, 'create', '', 'pods/exec', nsA, undefined, false],
      [handshake, 'list', '', 'pods', nsA, undefined, true],
      [handshake, 'patch', '', 'pods/status', nsA, undefined, true],
      [handshake, 'get', '', 'secrets', HANDSHAKE_NS, 'legacy-handshake-suffix', true],
      [handshake, 'get', '', 'secrets', HANDSHAKE_NS, 'other-secret', false],
      [handshake, 'list', '', 'secrets', HANDSHAKE_NS, undefined, false],
      [handshake, 'get', '', 'secrets', nsA, 'namespace-secret', false],
      [handshake, 'create', '', 'pods', nsA, undefined, false],
      [handshake, 'delete', '', 'pods', nsA, undefined, false],
      [handshake, 'update', 'coordination.k8s.io', 'leases', HANDSHAKE_NS, 'someone-else', false],
      [handshake, 'get', 'pyvo.io', 'agesecrets', nsA, undefined, false],
      [handshake, 'create', 'rbac.authorization.k8s.io', 'rolebindings', nsA, undefined, false],
      ['alice', 'get', '', 'secrets', nsA, undefined, false],
      ['alice', 'create', 'pyvo.io', 'agesecrets', nsA, undefined, true],
      ['alice', 'patch', 'pyvo.io', 'agesecrets/status', nsA, undefined, false],
      ['alice', 'create', 'pyvo.io', 'agesecrets', nsB, undefined, false],
    ];
    const wrong = await wrongAccess(rig.client, matrix);
    assert.deepEqual(wrong, []);
    checks.push(`operators authenticate as their ServiceAccounts; ${matrix.length} access reviews as expected`);
  });

  test('privilege figures', (t) => {
    recordFigure(
      {
        scenario: '8. privilege',
        objects: 7,
        faults: checks.join('; '),
        recoveries: 'n/a (every attempt refused with a condition)',
        convergeMs: 0,
      },
      (line) => t.diagnostic(line),
    );
    assert.equal(checks.length, 4);
  });
});

/** Who the token in the process's kubeconfig is, per a TokenReview. */
async function identityOf(rig: Rig, proc: OperatorProcess): Promise<string | undefined> {
  const path = proc.options.args.find((a) => a.startsWith('--kubeconfig='))!.slice('--kubeconfig='.length);
  const kubeconfig = parse(readFileSync(path, 'utf8')) as { users?: { user?: { token?: string } }[] };
  const token = kubeconfig.users?.[0]?.user?.token;
  assert.ok(token, `${path} holds a token`);
  const review = await rig.client.create<KubeObject & { status?: { user?: { username?: string } } }>(
    { group: 'authentication.k8s.io', version: 'v1', plural: 'tokenreviews' },
    { spec: { token } } as never,
  );
  return review.status?.user?.username;
}
