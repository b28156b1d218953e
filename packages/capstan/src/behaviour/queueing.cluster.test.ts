// Behaviour: serial per object with bursts coalesced to the latest state, parallel across objects, a global bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../testing/index.js';
import { harness, widgets, type Widget } from './fixture.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

test('one object is handled serially and a burst of changes is coalesced into its latest state', async (t) => {
  const h = await harness(t, 'serial', { crd: true });
  const release = gate();
  let active = 0;
  let maxActive = 0;
  const seen: number[] = [];
  const op = await h.start((o) =>
    o.resource<Widget>(widgets).reconcile({
      async apply(ctx) {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(ctx.spec?.n ?? 0);
        if (seen.length === 1) await release.opened;
        active--;
      },
    }),
  );
  await h.client.create(widgets, { metadata: { name: 'w', namespace: h.ns }, spec: { n: 0 } });
  await waitUntil(() => seen.length === 1, { message: 'the first reconcile' });
  for (let n = 1; n <= 10; n++) await h.client.patch(widgets, { namespace: h.ns, name: 'w' }, { spec: { n } });
  // The watch has delivered all ten changes before the handler is released (they are in the cache).
  await waitUntil(() => op.operator.resource<Widget>(widgets).cached({ namespace: h.ns, name: 'w' })?.spec?.n === 10);
  release.open();
  await waitUntil(() => seen.at(-1) === 10, { message: 'the latest state reconciled' });
  await h.settled(op, widgets, 'w');
  assert.equal(maxActive, 1, 'never two handlers for one object at once');
  assert.deepEqual(seen, [0, 10], 'the burst of ten changes became one reconcile of the latest state');
});

test('objects are handled in parallel, within the global concurrency bound', async (t) => {
  const h = await harness(t, 'parallel', { crd: true });
  let active = 0;
  let maxActive = 0;
  const three = gate();
  const done: string[] = [];
  await h.start(
    (o) =>
      o.resource<Widget>(widgets).on.create(async (ctx) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (active === 3) three.open();
        // Each handler waits until three run at once: this only finishes if objects run in parallel.
        await three.opened;
        active--;
        done.push(ctx.name);
      }),
    { concurrency: 3 },
  );
  for (let i = 0; i < 7; i++) await h.client.create(widgets, { metadata: { name: `w${i}`, namespace: h.ns }, spec: {} });
  await waitUntil(() => done.length === 7, { message: 'all seven handled' });
  assert.equal(maxActive, 3, 'three at once, never more than the bound');
});
