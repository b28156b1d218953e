// Behaviour: what the schema builder declares, the API server enforces: CEL rules at apply time, selectable fields in lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ConflictError, defineCustomResource, InvalidError, s, type KubeObject } from '../index.js';
import { deleteNamespace, uniqueNamespace, waitUntil } from '../testing/index.js';

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;

test('CEL rules from the schema builder are enforced by the API server; selectable fields filter lists', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  // A group of its own: test files share one API server.
  const group = `cel-${randomBytes(3).toString('hex')}.capstan.dev`;
  const Gizmos = defineCustomResource({
    group,
    version: 'v1',
    kind: 'Gizmo',
    plural: 'gizmos',
    spec: s.object(
      {
        color: s.string({ maxLength: 16 }),
        min: s.integer(),
        max: s.integer(),
        code: s.optional(
          s.string({
            maxLength: 64,
            validations: [{ rule: "self.startsWith('GZ-')", message: 'code must start with GZ-', reason: 'FieldValueForbidden' }],
          }),
        ),
      },
      { validations: [{ rule: 'self.min <= self.max', message: 'min must not exceed max', fieldPath: '.min' }] },
    ),
    selectableFields: ['.spec.color'],
    validations: [{ rule: "self.metadata.name != 'reserved'", message: 'the name reserved is reserved' }],
  });
  const ns = await uniqueNamespace(client, 'cel');
  t.after(async () => {
    await deleteNamespace(client, ns);
    await client.delete(crds, { name: Gizmos.crd.metadata.name }).catch(() => undefined);
    client.close();
  });
  try {
    await client.create(crds, Gizmos.crd as unknown as KubeObject);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  await waitUntil(
    async () => {
      await client.list(Gizmos.ref, { namespace: ns });
      return true;
    },
    { message: 'the Gizmo CRD to be served' },
  );

  const gizmo = (name: string, spec: typeof Gizmos.$spec) => Gizmos.build({ metadata: { name, namespace: ns }, spec });
  const refused = async (body: KubeObject, message: RegExp) => {
    await assert.rejects(client.create(Gizmos.ref, body, { namespace: ns }), (error: Error) => {
      assert.ok(error instanceof InvalidError, `${error.name}: ${error.message}`);
      assert.match(error.message, message);
      return true;
    });
    assert.equal(await client.tryGet(Gizmos.ref, { namespace: ns, name: body.metadata.name ?? '' }), undefined, 'nothing stored');
  };
  await refused(gizmo('inverted', { color: 'red', min: 5, max: 1 }), /min must not exceed max/);
  await refused(gizmo('badcode', { color: 'red', min: 1, max: 2, code: 'XX-1' }), /code must start with GZ-/);
  await refused(gizmo('reserved', { color: 'red', min: 1, max: 2 }), /the name reserved is reserved/);

  for (const [name, color] of [
    ['a', 'red'],
    ['b', 'blue'],
    ['c', 'red'],
  ] as const) {
    await client.create(Gizmos.ref, gizmo(name, { color, min: 1, max: 2, code: 'GZ-1' }), { namespace: ns });
  }
  const red = await client.list(Gizmos.ref, { namespace: ns, fieldSelector: 'spec.color=red' });
  assert.deepEqual(red.items.map((o) => o.metadata.name).sort(), ['a', 'c']);
  // An update is checked too.
  await assert.rejects(
    client.patch(Gizmos.ref, { namespace: ns, name: 'a' }, { spec: { max: 0 } }, { type: 'merge' }),
    /min must not exceed max/,
  );
});
