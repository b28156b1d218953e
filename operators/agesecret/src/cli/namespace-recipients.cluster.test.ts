// The CLI against the real API server: a developer allowed only `get` on the recipients ConfigMap encrypts with
// --namespace and the AgeSecret decrypts in the cluster; without the permission, the forbidden error and its code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestCluster } from '@capstan/localcluster';
import type { KubeObject } from 'capstan';
import { parse } from 'yaml';
import { CONFIGMAPS } from '../keys/key-keeper.js';
import { DEFAULT_MANAGED_KEY_SECRET, MANAGED_KEYS_LABEL, RECIPIENTS_CONFIGMAP } from '../keys/namespace-keys.js';
import {
  AGESECRETS,
  eventually,
  NAMESPACES,
  operatorNamespace,
  secretOf,
  uniqueName,
  unb64,
  waitReady,
  type AgeSecretObject,
  type OperatorNamespace,
} from '../test-fixtures.js';
import { runCaptured } from './memory-io.js';

const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;
type ConfigMap = KubeObject & { data?: Record<string, string> };

describe('age-secret --namespace against the cluster', () => {
  let env: OperatorNamespace;
  let dir: string;
  let developer: string | undefined;
  let outsider: string | undefined;
  let published: string[];
  // No KUBECONFIG and a private HOME: only the --kubeconfig given reaches a cluster.
  const cli = (args: string[]) => runCaptured(args, { cwd: dir, env: { PATH: process.env['PATH'], HOME: dir } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'age-secret-ns-cli-'));
    env = await operatorNamespace('asec-cli', { managedKeys: { namespaces: [], label: true, secretName: DEFAULT_MANAGED_KEY_SECRET } });
    const { client, namespace: ns } = env;
    await client.patch(NAMESPACES, { name: ns }, { metadata: { labels: { [MANAGED_KEYS_LABEL]: 'true' } } });
    published = await eventually('recipients published', async () => {
      const cm = await client.tryGet<ConfigMap>(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP });
      return cm?.data?.['recipients']?.trim().split('\n');
    });
    const cluster = await useTestCluster();
    if (!cluster.capabilities.mintUserTokens) return;
    // The developer may get that one ConfigMap and nothing else (no Secrets, no AgeSecrets, no other ConfigMap).
    const user = `developer-${ns}`;
    await client.create(
      { ...RBAC, plural: 'roles' },
      {
        metadata: { name: 'recipients-reader', namespace: ns },
        rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [RECIPIENTS_CONFIGMAP], verbs: ['get'] }],
      },
    );
    await client.create(
      { ...RBAC, plural: 'rolebindings' },
      {
        metadata: { name: 'recipients-reader', namespace: ns },
        roleRef: { apiGroup: RBAC.group, kind: 'Role', name: 'recipients-reader' },
        subjects: [{ apiGroup: RBAC.group, kind: 'User', name: user }],
      },
    );
    developer = cluster.userKubeconfig({ user });
    outsider = cluster.userKubeconfig({ user: `outsider-${ns}` });
    assert.equal((await cli(['keygen', '-o', 'mine.txt'])).code, 0);
  });

  after(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('with only get on the ConfigMap: recipients, encrypt --namespace; applied by an admin, it decrypts in the cluster', async (t) => {
    if (!developer) return t.skip('needs minted user tokens (local cluster)');
    const ns = env.namespace;
    // RBAC reaches the authorizer a moment after the binding is written: wait for the command to succeed.
    const listed = await eventually('the Role takes effect', async () => {
      const r = await cli(['recipients', '--namespace', ns, '--kubeconfig', developer!]);
      return r.code === 0 ? r : undefined;
    });
    assert.equal(listed.stdout, published.map((r) => `${r}\n`).join(''));

    const mine = (await cli(['keygen', '-y', 'mine.txt'])).stdout.trim();
    writeFileSync(
      join(dir, 'app.secret.yaml'),
      `apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata:\n  name: app\nspec:\n  secretName: app\n  ageSecretRef: ${DEFAULT_MANAGED_KEY_SECRET}\n  data:\n    password: cli-held-by-cluster\n`,
    );
    const enc = await cli(['encrypt', '-n', ns, '-r', mine, '-f', 'app.secret.yaml', '--kubeconfig', developer!]);
    assert.equal(enc.code, 0, enc.stderr);
    assert.ok(!enc.stdout.includes('cli-held-by-cluster'));
    assert.match(enc.stderr, new RegExp(`for the ${published.length} recipient\\(s\\) published by namespace ${ns} and 1 given`));
    const manifest = parse(enc.stdout) as AgeSecretObject;
    assert.equal(manifest.metadata.annotations?.['age-secret.pyvo.io/recipients'], [...published, mine].join(','));
    writeFileSync(join(dir, 'app.enc.yaml'), enc.stdout);

    // The admin applies it; the operator decrypts with the key it holds.
    await env.client.create(AGESECRETS, { ...manifest, metadata: { ...manifest.metadata, namespace: ns } });
    await waitReady(env.client, ns, 'app', 'True');
    assert.equal(unb64((await secretOf(env.client, ns, 'app'))?.data?.['password']), 'cli-held-by-cluster');

    // updatekeys --namespace: the developer's own identity decrypts, the published recipients are encrypted for again.
    const updated = await cli([
      'updatekeys',
      '-i',
      'mine.txt',
      '-n',
      ns,
      '-r',
      mine,
      '-w',
      '-f',
      'app.enc.yaml',
      '--kubeconfig',
      developer!,
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.notEqual(readFileSync(join(dir, 'app.enc.yaml'), 'utf8'), enc.stdout);
    assert.match(
      (await cli(['verify', '-i', 'mine.txt', '-f', 'app.enc.yaml'])).stdout,
      /app\.enc\.yaml: app spec\.data\.password .*: decrypts/,
    );

    // The developer may not list AgeSecrets: status says which permission it needs.
    const denied = await cli(['status', '-n', ns, '--kubeconfig', developer!]);
    assert.equal(denied.code, 6, denied.stderr);
    assert.match(denied.stderr, new RegExp(`you may not list agesecrets.pyvo.io in namespace ${ns}`));
  });

  test("status (as an admin): the operator's word (status.needsReencryption), also without recorded recipients (exit 0)", async (t) => {
    if (!developer) return t.skip('needs minted user tokens (local cluster)');
    const ns = env.namespace;
    await waitReady(env.client, ns, 'app', 'True');
    const current = await cli(['status', '-n', ns, '--kubeconfig', env.kubeconfigPath]);
    assert.equal(current.code, 0, current.stderr);
    assert.match(
      current.stdout,
      /^NAME +READY +REASON +NEEDS-RETIRING-KEY +WHY\napp +True +Decrypted +no +operator: status.needsReencryption is false\n$/,
    );
    assert.match(current.stderr, new RegExp(`^1 AgeSecret\\(s\\) in ${ns}: 1 current`));

    // Applied without the CLI's annotation: the ciphertext alone cannot tell the CLI whom it is for, but the
    // operator, which tries its identities, says so in status (without it, status answers unknown: exit 4).
    writeFileSync(
      join(dir, 'bare.secret.yaml'),
      `apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata: {name: bare}\nspec: {secretName: bare, secretKey: k, secret: bare-value, ageSecretRef: ${DEFAULT_MANAGED_KEY_SECRET}}\n`,
    );
    const enc = await cli(['encrypt', '-n', ns, '-f', 'bare.secret.yaml', '--kubeconfig', env.kubeconfigPath]);
    assert.equal(enc.code, 0, enc.stderr);
    const bare = parse(enc.stdout) as AgeSecretObject;
    delete bare.metadata.annotations;
    await env.client.create(AGESECRETS, { ...bare, metadata: { name: 'bare', namespace: ns } });
    await waitReady(env.client, ns, 'bare', 'True');
    const both = await cli(['status', '-n', ns, '--kubeconfig', env.kubeconfigPath]);
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /\nbare +True +Decrypted +no +operator: status.needsReencryption is false/);
  });

  test('without the permission: the forbidden error (exit 6); a namespace that publishes nothing (exit 5)', async (t) => {
    if (!outsider) return t.skip('needs minted user tokens (local cluster)');
    const ns = env.namespace;
    const forbidden = await cli(['recipients', '-n', ns, '--kubeconfig', outsider]);
    assert.equal(forbidden.code, 6, forbidden.stderr);
    assert.match(
      forbidden.stderr,
      new RegExp(
        `^age-secret recipients: forbidden: you may not get configmaps ${RECIPIENTS_CONFIGMAP} in namespace ${ns} .*--verb=get --resource=configmaps --resource-name=${RECIPIENTS_CONFIGMAP}`,
      ),
    );
    writeFileSync(
      join(dir, 'plain.yaml'),
      'apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata: {name: p}\nspec: {secretName: p, secretKey: k, secret: never-out}\n',
    );
    const encrypt = await cli([
      'encrypt',
      '-n',
      ns,
      '-r',
      (await cli(['keygen', '-y', 'mine.txt'])).stdout.trim(),
      '-f',
      'plain.yaml',
      '--kubeconfig',
      outsider,
    ]);
    assert.equal(encrypt.code, 6);
    assert.equal(encrypt.stdout, '', 'nothing encrypted for fewer recipients');
    assert.ok(!encrypt.stderr.includes('never-out'));

    const elsewhere = uniqueName('asec-cli-not-opted-in');
    const none = await cli(['recipients', '-n', elsewhere, '--kubeconfig', env.kubeconfigPath]);
    assert.equal(none.code, 5, none.stderr);
    assert.match(
      none.stderr,
      new RegExp(`namespace ${elsewhere} publishes no recipients .*kubectl label namespace ${elsewhere} ${MANAGED_KEYS_LABEL}=true`),
    );
  });
});
