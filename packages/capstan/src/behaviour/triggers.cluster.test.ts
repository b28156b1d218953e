// Behaviour: watches() re-runs reconcilers of objects a change maps to; index() answers without API calls; leadership gates processing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, waitUntil } from '../testing/index.js';
import type { KubeObject, LeadershipGate } from '../index.js';
import { configMaps, harness, widgets, type Widget } from './fixture.js';

test('a change of a referenced object re-runs the reconciler of the objects referring to it, found by an index', async (t) => {
  const h = await harness(t, 'triggers', { crd: true });
  let index: { get(key: string): KubeObject[] } | undefined;
  const applies: Record<string, number> = {};
  await h.start((o) => {
    const w = o.resource<Widget>(widgets);
    const cms = o.resource<KubeObject & { data?: Record<string, string> }>(configMaps);
    index = w.index('by-source', (obj) => (obj.spec?.source ? [`${obj.metadata.namespace}/${String(obj.spec.source)}`] : []));
    w.reconcile({
      async apply(ctx) {
        applies[ctx.name] = (applies[ctx.name] ?? 0) + 1;
        const source = await ctx.client.tryGet<KubeObject & { data?: Record<string, string> }>(configMaps, {
          namespace: ctx.namespace,
          name: String(ctx.spec?.source),
        });
        ctx.patch.status.copied = source?.data?.value ?? null;
      },
    });
    w.watches(cms, (cm) =>
      index!
        .get(`${cm.metadata.namespace}/${cm.metadata.name}`)
        .map((x) => ({ namespace: x.metadata.namespace, name: x.metadata.name ?? '' })),
    );
  });
  await h.client.create(widgets, { metadata: { name: 'a', namespace: h.ns }, spec: { source: 'src' } });
  await h.client.create(widgets, { metadata: { name: 'b', namespace: h.ns }, spec: { source: 'src' } });
  await h.client.create(widgets, { metadata: { name: 'c', namespace: h.ns }, spec: { source: 'other' } });
  await waitUntil(() => index!.get(`${h.ns}/src`).length === 2, { message: 'the index to know both widgets' });
  assert.deepEqual(
    index!
      .get(`${h.ns}/src`)
      .map((x) => x.metadata.name)
      .sort(),
    ['a', 'b'],
  );

  await h.client.create(configMaps, { metadata: { name: 'src', namespace: h.ns }, data: { value: 'v1' } } as KubeObject);
  for (const name of ['a', 'b']) {
    await waitFor<Widget>(h.client, { resource: widgets, namespace: h.ns, name }, (x) => x?.status?.copied === 'v1', {
      message: `${name} re-reconciled`,
    });
  }
  assert.equal(applies.c, 1, 'an unrelated widget is not re-run');
});

test('nothing is handled before leadership; losing it stops daemons; it resumes on the next term', async (t) => {
  const h = await harness(t, 'leader');
  let grant: ((signal: AbortSignal) => void) | undefined;
  let lease = new AbortController();
  const gate: LeadershipGate = {
    acquire: () => new Promise((resolve) => (grant = () => resolve(lease.signal))),
  };
  const handled: string[] = [];
  const daemons = { running: 0, stopped: 0 };
  const startedOp = h.start(
    (o) => {
      const cms = o.resource(configMaps);
      cms.on.event((ctx) => void handled.push(ctx.name));
      cms.daemon(async (ctx) => {
        daemons.running++;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        daemons.running--;
        daemons.stopped++;
      });
    },
    { leadership: gate },
  );
  await h.client.create(configMaps, { metadata: { name: 'waiting', namespace: h.ns } });
  await waitUntil(() => typeof grant === 'function', { message: 'the operator to ask for leadership' });
  assert.equal(handled.length, 0, 'no handler before leading');
  grant!(lease.signal);
  await startedOp;
  await waitUntil(() => handled.includes('waiting') && daemons.running > 0, { message: 'handling once leading' });
  const before = handled.length;
  const old = lease;
  lease = new AbortController();
  grant = undefined;
  old.abort();
  await waitUntil(() => daemons.running === 0 && daemons.stopped > 0, { message: 'daemons stopped when leadership was lost' });
  await h.client.create(configMaps, { metadata: { name: 'while-standby', namespace: h.ns } });
  await waitUntil(() => typeof grant === 'function');
  assert.ok(!handled.slice(before).includes('while-standby'), 'a standby handles nothing');
  grant!(lease.signal);
  await waitUntil(() => handled.includes('while-standby'), { message: 'the next term handles what happened meanwhile' });
});

test('a lost lease aborts running handlers at once, not after the shutdown grace period', async (t) => {
  const h = await harness(t, 'leader-lost');
  const lease = new AbortController();
  let grant: (() => void) | undefined;
  const gate: LeadershipGate = {
    acquire: (signal) =>
      new Promise((resolve) => {
        grant = () => resolve(lease.signal);
        signal.addEventListener('abort', () => resolve(undefined), { once: true });
      }),
  };
  const handler = { running: 0, aborted: 0 };
  const startedOp = h.start(
    (o) => {
      const cms = o.resource(configMaps);
      cms.on.event(async (ctx) => {
        if (ctx.name !== 'slow') return; // not the namespace's kube-root-ca.crt
        handler.running++;
        // A handler in the middle of its work (a slow write): only its signal ends it.
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        handler.running--;
        handler.aborted++;
      });
    },
    // A grace period far longer than the wait below: only an immediate abort passes.
    { leadership: gate, shutdownGraceMs: 120_000 },
  );
  await h.client.create(configMaps, { metadata: { name: 'slow', namespace: h.ns } });
  await waitUntil(() => typeof grant === 'function', { message: 'the operator to ask for leadership' });
  grant!();
  await startedOp;
  await waitUntil(() => handler.running === 1, { message: 'the handler running while leading' });
  lease.abort();
  await waitUntil(() => handler.aborted === 1, { timeoutMs: 30_000, message: 'the handler aborted when the lease was lost' });
  assert.equal(handler.running, 0);
});
