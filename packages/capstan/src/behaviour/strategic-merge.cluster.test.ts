// Behaviour: a handler patching a native object with a strategic merge patch merges lists by key, keeping what others set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, waitUntil } from '../testing/index.js';
import type { KubeObject } from '../index.js';
import { harness } from './fixture.js';

const deployments = { group: 'apps', version: 'v1', plural: 'deployments' } as const;
interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
}
type Deployment = KubeObject<{
  selector: unknown;
  template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
}>;

test('a handler adds a sidecar and an env var with a strategic merge patch: containers and env are merged by name, not replaced', async (t) => {
  const h = await harness(t, 'strategic');
  let patched = 0;
  await h.start((o) =>
    o.resource<Deployment>(deployments).on.create(async function addSidecar(ctx) {
      await ctx.client.patch(
        deployments,
        { namespace: ctx.namespace, name: ctx.name },
        {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'app', env: [{ name: 'ADDED', value: 'by-handler' }] },
                  { name: 'sidecar', image: 'sidecar:1' },
                ],
              },
            },
          },
        },
        { type: 'strategic', signal: ctx.signal },
      );
      patched++;
    }),
  );
  const labels = { app: 'strategic' };
  await h.client.create(deployments, {
    metadata: { name: 'web', namespace: h.ns },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'KEPT', value: 'by-user' }] }] },
      },
    },
  } as Deployment);
  await waitUntil(() => patched === 1, { message: 'the create handler patched the Deployment' });
  const got = await waitFor<Deployment>(
    h.client,
    { resource: deployments, namespace: h.ns, name: 'web' },
    (d) => (d?.spec?.template.spec.containers.length ?? 0) === 2,
  );
  const containers = got!.spec!.template.spec.containers;
  assert.deepEqual(
    containers.map((c) => `${c.name}=${c.image}`),
    ['app=app:1', 'sidecar=sidecar:1'],
    "the user's container kept, the sidecar added",
  );
  assert.deepEqual(
    containers[0]!.env?.map((e) => `${e.name}=${e.value}`),
    ['ADDED=by-handler', 'KEPT=by-user'],
    'env merged by name',
  );
});
