// Behaviour: a resource's cache transform decides what the cache keeps; handlers and cached() see only that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../index.js';
import { waitUntil } from '../testing/index.js';
import { configMaps, harness } from './fixture.js';

type ConfigMap = KubeObject & { data?: Record<string, string>; bigLength?: number };

test('the transform applies to listed and watched objects and to what the engine writes; handlers never see the dropped field', async (t) => {
  const h = await harness(t, 'cache-transform');
  const big = 'x'.repeat(4096);
  const configMap = (name: string) => ({ metadata: { name, namespace: h.ns, labels: { mine: 'yes' } }, data: { big, small: name } });
  await h.client.create(configMaps, configMap('listed'), { namespace: h.ns });
  const bodies: ConfigMap[] = [];
  let handle: { cached(key: { namespace?: string; name: string }): ConfigMap | undefined } | undefined;
  const running = await h.start((o) => {
    handle = o.resource<ConfigMap>(configMaps, {
      // Like an operator that needs to know a value changed, not the value: its length stands in for it.
      transform: (cm) => {
        if (cm.data?.big === undefined) return cm;
        const { big: dropped, ...data } = cm.data;
        return { ...cm, data, bigLength: dropped.length };
      },
    });
    o.resource<ConfigMap>(configMaps).reconcile(
      {
        apply: (ctx) => {
          bodies.push(ctx.body as ConfigMap);
          // A write by the engine: the version it returns enters the cache through the transform too.
          ctx.patch.metadata.annotations = { reconciled: String(ctx.body.data?.small) };
        },
      },
      { labels: { mine: 'yes' } },
    );
  });
  await h.client.create(configMaps, configMap('watched'), { namespace: h.ns });
  for (const name of ['listed', 'watched']) {
    const done = await h.settled(running, configMaps, name);
    assert.equal((done as ConfigMap).data?.big, big, `${name}: the object itself keeps every field`);
    const cached = await waitUntil(() => {
      const c = handle?.cached({ namespace: h.ns, name });
      return c?.metadata.annotations?.reconciled === name ? c : undefined;
    });
    assert.equal(cached.data?.big, undefined, `${name}: cached without it`);
    assert.deepEqual(cached.data, { small: name });
    assert.equal(cached.bigLength, 4096);
  }
  assert.ok(bodies.length >= 2);
  assert.ok(
    bodies.every((b) => b.data?.big === undefined && b.bigLength === 4096),
    'every handler body is the transformed object',
  );
});
