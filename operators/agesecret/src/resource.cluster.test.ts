// The CRD on a real API server: seed manifests validate as written, explain reads well, columns and short names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { kubectl as runKubectl, KubectlError, useTestCluster, kubectlPath } from '@capstan/localcluster';
import { ApiClient } from 'capstan';
import { AGESECRETS, createNamespace, deleteNamespaces, eventually, installCrd, type AgeSecretObject } from './test-fixtures.js';

// Seed 000's manifests, verbatim (the second as its encrypt step leaves it, with ageSecretRef from its spoiler).
const SEED_PLAIN = `apiVersion: pyvo.io/v1
kind: AgeSecret
metadata:
  name: my-secret
spec:
  secretName: macrodata-numbers
  secretKey: numbers
  secret: "Hello world!"
`;
const SEED_ENCRYPTED = `apiVersion: pyvo.io/v1
kind: AgeSecret
metadata:
  name: my-secret-enc
spec:
  secretName: macrodata-numbers
  secretKey: numbers
  ageSecretRef: namespace-secret
  secret: ENC[YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==]
`;

const SEED_ENCRYPTED_VALUE = 'ENC[YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==]';

let client: ApiClient;
let kubeconfig: string;
let ns: string;

before(async () => {
  const cluster = await useTestCluster();
  kubeconfig = cluster.kubeconfigPath;
  client = await ApiClient.create(kubeconfig);
  await installCrd(client);
  ns = await createNamespace(client, 'asec-crd');
});

after(async () => {
  await deleteNamespaces(client, [ns]);
  client.close();
});

const kubectl = (...args: string[]) => execFileSync(kubectlPath(kubeconfig), ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });

test("the seed's encrypted manifest validates as written (server-side dry run)", async () => {
  for (const text of [SEED_ENCRYPTED]) {
    const obj = parse(text) as AgeSecretObject;
    const created = await client.create<AgeSecretObject>(
      AGESECRETS,
      { ...obj, metadata: { ...obj.metadata, namespace: ns } },
      { namespace: ns, dryRun: true },
    );
    assert.deepEqual(created.spec, obj.spec, 'no field pruned');
  }
});

test("kubectl apply of the seed's plaintext AgeSecret fails with the CRD's message; the plaintext is stored nowhere", async () => {
  const name = `plain-${Date.now().toString(36)}`;
  const text = SEED_PLAIN.replace('name: my-secret', `name: ${name}`).replace('Hello world!', 'Hello world! capstan-plaintext-marker');
  let refusal: KubectlError | undefined;
  try {
    await runKubectl(kubeconfig, ['apply', '-n', ns, '-f', '-'], { input: text });
  } catch (error) {
    if (!(error instanceof KubectlError)) throw error;
    refusal = error;
  }
  assert.ok(refusal, 'kubectl apply of plaintext must fail');
  assert.match(refusal.stderr, /spec\.secret: Forbidden: must be age ciphertext: ENC\[\.\.\.\] as written by `age-secret encrypt`/);
  assert.ok(!`${refusal.stdout}${refusal.stderr}`.includes('capstan-plaintext-marker'), 'the refusal does not echo the plaintext');
  assert.equal(await client.tryGet(AGESECRETS, { namespace: ns, name }), undefined, 'nothing was stored');
  // The same for a plaintext value among data, and through the API (what operators and CI tools use).
  const viaApi = { ...(parse(text) as AgeSecretObject), metadata: { name: `${name}-data`, namespace: ns } };
  viaApi.spec = { secretName: 'x', data: { ok: SEED_ENCRYPTED_VALUE, leaked: 'capstan-plaintext-marker' } };
  await assert.rejects(client.create(AGESECRETS, viaApi, { namespace: ns }), (error: Error) => {
    assert.match(error.message, /422|Invalid/);
    assert.ok(!error.message.includes('capstan-plaintext-marker'));
    return true;
  });
  assert.equal(await client.tryGet(AGESECRETS, { namespace: ns, name: `${name}-data` }), undefined);
});

test('kubectl explain agesecrets.spec describes every field', async () => {
  // The API server publishes a new CRD's OpenAPI a moment after it is Established.
  const out = await eventually('the AgeSecret schema to be published', async () => runKubectl(kubeconfig, ['explain', 'agesecrets.spec']));
  for (const field of ['secretName', 'secretKey', 'secret', 'ageSecretRef', 'data', 'type', 'labels', 'annotations']) {
    assert.match(out, new RegExp(`^\\s+${field}\\s`, 'm'), field);
  }
  assert.match(out, /ENC\[/);
  assert.match(await runKubectl(kubeconfig, ['explain', 'agesecrets.status.conditions']), /observedGeneration/);
});

test('short names and printer columns', async () => {
  const obj = parse(SEED_ENCRYPTED) as AgeSecretObject;
  await client.create(AGESECRETS, { ...obj, metadata: { ...obj.metadata, namespace: ns } }, { namespace: ns });
  for (const name of ['asec', 'agesec', 'agesecrets']) {
    const out = kubectl('get', name, '-n', ns);
    assert.match(out, /^NAME\s+SECRET\s+READY\s+REASON\s+AGE/, name);
    assert.match(out, /my-secret-enc\s+macrodata-numbers/);
  }
});

test('deploy/agesecret is accepted by the API server (server-side dry run of the whole kustomization)', () => {
  const dir = fileURLToPath(new URL('../../../deploy/agesecret', import.meta.url));
  const docs = parseAllDocuments(kubectl('kustomize', dir)).map(
    (d) => d.toJS() as { kind: string; metadata: { namespace?: string }; subjects?: { namespace?: string }[] },
  );
  assert.deepEqual(docs.map((d) => d.kind).sort(), [
    'ClusterRole',
    'ClusterRoleBinding',
    'CustomResourceDefinition',
    'Deployment',
    'Namespace',
    'Role',
    'RoleBinding',
    'Service',
    'ServiceAccount',
  ]);
  // The install namespace does not exist here (dry run): place the namespaced objects in the test namespace.
  for (const d of docs) {
    if (d.metadata.namespace) d.metadata.namespace = ns;
    for (const s of d.subjects ?? []) s.namespace = ns;
  }
  const out = execFileSync(kubectlPath(kubeconfig), ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '-f', '-'], {
    input: docs.map((d) => stringify(d)).join('---\n'),
    encoding: 'utf8',
  });
  assert.match(out, /deployment.apps\/agesecret-operator (created|configured) \(server dry run\)/);
});
