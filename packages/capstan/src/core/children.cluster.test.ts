// Tests of applyChild against the real API server: SSA create/update/no-op, field ownership, garbage collection via the owner.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../client/surface.js';
import { ConflictError } from '../structs/errors.js';
import type { KubeObject } from '../structs/objects.js';
import { adopt, applyChild, isOwnedBy } from './children.js';

const namespaces = { version: 'v1', plural: 'namespaces' };
const configmaps = { version: 'v1', plural: 'configmaps' };

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type ConfigMap = KubeObject & { data?: Record<string, string> };

describe('applyChild (server-side apply)', () => {
  let client: ApiClient;
  let ns: string;
  let owner: KubeObject;

  before(async () => {
    const cluster = await useTestCluster();
    client = await ApiClient.create({ path: cluster.kubeconfigPath });
    ns = `children-${randomBytes(4).toString('hex')}`;
    await client.create(namespaces, { metadata: { name: ns } });
    owner = await client.create(configmaps, { metadata: { name: 'owner', namespace: ns } });
  });
  after(async () => {
    await client?.delete(namespaces, { name: ns }).catch(() => {});
    client?.close();
  });

  const child = (data: Record<string, string>): ConfigMap =>
    adopt({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'child', namespace: ns, labels: { app: 'demo' } }, data }, owner);

  test('creates, updates, and re-applying the same body writes nothing', async () => {
    const created = await applyChild(client, child({ a: '1', b: '2' }), { fieldManager: 'demo-operator' });
    assert.deepEqual(created.data, { a: '1', b: '2' });
    assert.ok(isOwnedBy(created, owner, { controller: true }));
    assert.ok(
      (created.metadata.managedFields as { manager: string; operation: string }[]).some(
        (f) => f.manager === 'demo-operator' && f.operation === 'Apply',
      ),
    );

    const updated = await applyChild(client, child({ a: '1' }), { fieldManager: 'demo-operator' });
    assert.deepEqual(updated.data, { a: '1' }, 'a field the manager no longer applies is removed');
    const again = await applyChild(client, { ...updated, apiVersion: 'v1', kind: 'ConfigMap' }, { fieldManager: 'demo-operator' });
    assert.equal(again.metadata.resourceVersion, updated.metadata.resourceVersion, 'a no-op apply does not bump resourceVersion');
  });

  test('fields owned by another manager: conflict without force, taken over with force', async () => {
    await client.patch(configmaps, { namespace: ns, name: 'child' }, { data: { a: 'edited' } }, { fieldManager: 'kubectl-edit' });
    await assert.rejects(applyChild(client, child({ a: '1' }), { fieldManager: 'demo-operator', force: false }), ConflictError);
    const fixed = await applyChild(client, child({ a: '1' }), { fieldManager: 'demo-operator' });
    assert.equal(fixed.data?.a, '1', 'drift is repaired by a forced apply');
  });

  test('the garbage collector deletes the child with its owner', async () => {
    await client.delete(configmaps, { namespace: ns, name: 'owner' }, { propagationPolicy: 'Foreground' });
    await until('the child to be garbage-collected', async () => !(await client.tryGet(configmaps, { namespace: ns, name: 'child' })));
  });
});
