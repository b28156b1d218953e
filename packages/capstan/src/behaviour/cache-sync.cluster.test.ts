// Behaviour: workers are held until every cache of the operator has synced (no handler on a partial view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, createOperator, type KubeObject } from '../index.js';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitUntil } from '../testing/index.js';
import { configMaps } from './fixture.js';

const secrets = { version: 'v1', plural: 'secrets' } as const;
const rbac = (plural: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', plural });

test('no handler runs until every cache has synced: a resource that cannot be listed yet holds all workers', async (t) => {
  const cluster = await useTestCluster();
  if (!cluster.capabilities.mintUserTokens) return t.skip('needs user tokens (local cluster)');
  const admin = await ApiClient.create({ path: cluster.kubeconfigPath });
  const ns = await uniqueNamespace(admin, 'cache-sync');
  t.after(async () => {
    await deleteNamespace(admin, ns);
    admin.close();
  });
  const user = `cache-sync-${randomBytes(3).toString('hex')}`;
  // The operator may list and watch ConfigMaps from the start; Secrets only once the second Role is bound.
  const grant = async (name: string, resources: string[]) => {
    await admin.create(
      rbac('roles'),
      {
        metadata: { name, namespace: ns },
        rules: [{ apiGroups: [''], resources, verbs: ['get', 'list', 'watch'] }],
      } as unknown as KubeObject,
      { namespace: ns },
    );
    await admin.create(
      rbac('rolebindings'),
      {
        metadata: { name, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      } as unknown as KubeObject,
      { namespace: ns },
    );
  };
  await grant('configmaps', ['configmaps']);
  for (let i = 0; i < 5; i++)
    await admin.create(secrets, { metadata: { name: `s${i}`, namespace: ns }, stringData: { k: 'v' } } as unknown as KubeObject, {
      namespace: ns,
    });
  await admin.create(configMaps, { metadata: { name: 'a', namespace: ns } }, { namespace: ns });

  const synced = new Set<string>();
  const secretErrors: unknown[] = [];
  const handled: { name: string; secretsCached: number }[] = [];
  const op = createOperator({
    name: 'test-cache-sync',
    events: false,
    hooks: {
      synced: (info) => void synced.add(info.resource),
      watchError: (info) => void (info.resource.startsWith('/v1/secrets') && secretErrors.push(info.error)),
    },
  });
  const secretHandle = op.resource(secrets);
  // An index makes Secrets watched and cached without handlers of their own, as an operator's children are.
  secretHandle.index('all', () => ['all']);
  op.resource(configMaps).on.event((ctx) => {
    handled.push({
      name: ctx.name,
      secretsCached: [0, 1, 2, 3, 4].filter((i) => secretHandle.cached({ namespace: ns, name: `s${i}` })).length,
    });
  });
  const running = await runOperatorInProcess(op, { kubeconfigPath: cluster.userKubeconfig({ user }), namespaces: [ns], waitReady: false });
  t.after(() => running.stop());

  // ConfigMaps synced, the Secrets list refused twice: the world is partial, so nothing may have run.
  await waitUntil(() => [...synced].some((r) => r.startsWith('/v1/configmaps')) && secretErrors.length >= 2, {
    message: 'the ConfigMap cache synced and the Secret list refused twice',
  });
  assert.equal(handled.length, 0, 'a handler ran before every cache had synced');

  await grant('secrets', ['secrets']);
  await waitUntil(() => handled.length > 0, { message: 'the ConfigMap handled once the Secret cache synced', timeoutMs: 120_000 });
  assert.equal(handled[0]?.name, 'a');
  assert.equal(handled[0]?.secretsCached, 5, 'the first handler run sees the complete Secret cache');
});
