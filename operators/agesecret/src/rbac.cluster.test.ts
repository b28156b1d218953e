// The install's RBAC is enough and no more: the operator runs as its ServiceAccount with deploy/agesecret's roles.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ForbiddenError, silentLogger, type KubeObject } from 'capstan';
import { generateKeyPair } from './crypto/identities.js';
import { createAgeSecretOperator } from './operator.js';
import {
  AGESECRETS,
  ageSecret,
  b64,
  createNamespace,
  deleteNamespaces,
  encryptFor,
  installCrd,
  putKeySecret,
  SECRETS,
  unb64,
  uniqueName,
  waitEvent,
  waitGone,
  waitReady,
  waitSecret,
} from './test-fixtures.js';

const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;
const manifests = (file: string) =>
  parseAllDocuments(readFileSync(fileURLToPath(new URL(`../../../deploy/agesecret/${file}`, import.meta.url)), 'utf8')).map(
    (d) => d.toJS() as KubeObject & { roleRef?: { name: string }; subjects?: { namespace?: string }[] },
  );

describe('RBAC of deploy/agesecret', () => {
  let admin: ApiClient;
  let ns: string;
  let opNs: string;
  const suffix = uniqueName('t');
  const clusterScoped: { plural: string; name: string }[] = [];
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  let asOperator: ApiClient;

  before(async () => {
    const cluster = await useTestCluster();
    admin = await ApiClient.create(cluster.kubeconfigPath);
    await installCrd(admin);
    [ns, opNs] = await Promise.all([createNamespace(admin, 'asec-rbac'), createNamespace(admin, 'asec-rbac-sys')]);
    // The install's roles, renamed per run (cluster-scoped names are shared) and bound to a ServiceAccount in opNs.
    for (const obj of [...manifests('cluster-role.yaml'), ...manifests('role.yaml')]) {
      const plural = `${obj.kind!.toLowerCase()}s`;
      obj.metadata.name = `${obj.metadata.name}-${suffix}`;
      if (obj.roleRef) obj.roleRef.name = `${obj.roleRef.name}-${suffix}`;
      for (const s of obj.subjects ?? []) s.namespace = opNs;
      const namespaced = obj.kind === 'Role' || obj.kind === 'RoleBinding';
      await admin.create({ ...RBAC, plural }, obj, namespaced ? { namespace: opNs } : {});
      if (!namespaced) clusterScoped.push({ plural, name: obj.metadata.name });
    }
    const kubeconfig = await cluster.serviceAccountKubeconfig(opNs, 'agesecret-operator');
    asOperator = await ApiClient.create(kubeconfig);
    const agesecret = createAgeSecretOperator({
      kubeconfig,
      namespaces: [ns],
      defaultIdentity: { namespace: opNs, name: 'agesecret-default-identity' },
      logger: silentLogger,
      backoff: { baseMs: 200, capMs: 2000 },
    });
    running = agesecret.run({ signal: stop.signal });
    await agesecret.operator.ready;
  });

  after(async () => {
    stop.abort();
    await running;
    await deleteNamespaces(admin, [ns, opNs]);
    await Promise.all(clusterScoped.map((c) => admin.delete({ ...RBAC, plural: c.plural }, { name: c.name }).catch(() => undefined)));
    asOperator?.close();
    admin.close();
  });

  test('the operator works as its ServiceAccount: Secret, Events, status, owned Secret garbage-collected', async () => {
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
    // Events: drift corrected (the Secret edited behind the operator's back) is posted as SecretUpdated.
    await admin.patch(SECRETS, { namespace: ns, name }, { data: { numbers: b64('tampered') } });
    await waitEvent(admin, ns, name, 'SecretUpdated');
    await admin.delete(AGESECRETS, { namespace: ns, name });
    await waitGone(admin, AGESECRETS, ns, name);
    await waitGone(admin, SECRETS, ns, name);
  });

  test('and no more: it may not create AgeSecrets, touch CRDs or read ConfigMaps', async () => {
    await assert.rejects(asOperator.create(AGESECRETS, ageSecret(ns, 'nope', { secretName: 'nope' }), { namespace: ns }), ForbiddenError);
    await assert.rejects(
      asOperator.list({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }),
      ForbiddenError,
    );
    await assert.rejects(asOperator.list({ version: 'v1', plural: 'configmaps' }, { namespace: ns }), ForbiddenError);
  });
});
