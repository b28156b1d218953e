// Behaviour: namespace scope with globs and exclusions; cluster-scoped resources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deleteNamespace, waitUntil } from '../testing/index.js';
import { PRESENT } from '../index.js';
import { configMaps, harness } from './fixture.js';

const namespaces = { version: 'v1', plural: 'namespaces' };

test('namespace globs select namespaces; exclusions win; cluster-scoped resources are watched too', async (t) => {
  const h = await harness(t, 'scope');
  const p = `glob-${randomBytes(3).toString('hex')}`;
  const names = [`${p}-team-a`, `${p}-team-b`, `${p}-team-secret`, `${p}-other`];
  for (const name of names) await h.client.create(namespaces, { metadata: { name } });
  t.after(async () => {
    for (const name of names) await deleteNamespace(h.client, name);
  });
  const seen = new Set<string>();
  const nsSeen = new Set<string>();
  await h.start(
    (o) => {
      o.resource(configMaps).on.event((ctx) => void (ctx.name === 'probe' && seen.add(ctx.namespace ?? '')));
      // By kind rather than plural: discovery maps it.
      o.resource({ version: 'v1', kind: 'Namespace' }).on.event((ctx) => void nsSeen.add(ctx.name), {
        labels: { [`${p}-marker`]: PRESENT },
      });
    },
    { namespaces: [`${p}-team-*`, `!${p}-team-secret`] },
  );
  // Excluded and non-matching namespaces first: a glob scope is one cluster-wide watch, delivered in order,
  // so once the team namespaces' probes arrived, the earlier ones would have too.
  for (const ns of [names[2]!, names[3]!, names[0]!, names[1]!])
    await h.client.create(configMaps, { metadata: { name: 'probe', namespace: ns } });
  await waitUntil(() => seen.has(names[0]!) && seen.has(names[1]!), { message: 'both team namespaces' });
  assert.ok(!seen.has(names[2]!), 'excluded namespace');
  assert.ok(!seen.has(names[3]!), 'non-matching namespace');
  await h.client.patch(namespaces, { name: names[3]! }, { metadata: { labels: { [`${p}-marker`]: 'x' } } });
  await waitUntil(() => nsSeen.has(names[3]!), { message: 'the cluster-scoped Namespace, outside the namespace scope' });
});
