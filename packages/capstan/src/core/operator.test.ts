// Unit tests of the engine end to end (operator, resource controllers, rounds) on the in-memory client: no cluster.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryClient } from '../client/surface.js';
import { TemporaryError } from '../structs/errors.js';
import type { KubeObject } from '../structs/objects.js';
import { decodeState } from '../structs/progress.js';
import { waitUntil } from '../kits/wait-until.js';
import { silentLogger } from './logging.js';
import { createOperator } from './operator.js';
import type { Operator, OperatorSettings } from './types.js';

const widgets = { group: 'example.com', version: 'v1', plural: 'widgets' } as const;
const STATE = 'unit.capstan.dev/last-handled';
const FIN = 'unit.capstan.dev/finalizer';

function memoryClient(): MemoryClient {
  return new MemoryClient({
    resources: [{ group: 'example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true, hasStatus: true }],
  });
}

/** Run an operator on the memory client until the test ends; resolves once its workers started. */
async function start(t: TestContext, op: Operator): Promise<void> {
  const ac = new AbortController();
  const running = op.run({ signal: ac.signal });
  t.after(async () => {
    ac.abort();
    await running;
  });
  await op.ready;
}

function operator(client: MemoryClient, settings: Partial<OperatorSettings> = {}): Operator {
  return createOperator({ name: 'unit', client, logger: silentLogger, events: false, namespaces: ['ns'], ...settings });
}

const widget = (name: string, spec: Record<string, unknown> = { size: 1 }, metadata: Record<string, unknown> = {}) =>
  ({ metadata: { name, namespace: 'ns', ...metadata }, spec }) as unknown as KubeObject;

const get = (client: MemoryClient, name: string) => client.tryGet(widgets, { namespace: 'ns', name });

test('a create handler runs once; its progress and diff base land in one annotation write', async (t) => {
  const client = memoryClient();
  const op = operator(client);
  let runs = 0;
  op.resource(widgets).on.create(() => {
    runs++;
    return 'made';
  });
  await start(t, op);
  await client.create(widgets, widget('a'));
  const done = await waitUntil(
    async () => {
      const obj = await get(client, 'a');
      return obj?.metadata.annotations?.[STATE] && (obj.status as { [k: string]: unknown } | undefined)?.['create-0'] === 'made'
        ? obj
        : undefined;
    },
    { message: 'the create handler recorded' },
  );
  assert.equal(runs, 1);
  assert.ok(decodeState(done.metadata.annotations?.[STATE])?.handled, 'the change is recorded as handled');
  assert.deepEqual(
    client.writes({ fieldManager: 'unit' }).map((w) => `${w.verb}${w.subresource ? `/${w.subresource}` : ''}`),
    ['patch', 'patch/status'],
  );
});

test('a failing handler retries with its count; a restarted operator continues from the annotation', async (t) => {
  const client = memoryClient();
  const seen: number[] = [];
  const first = operator(client);
  first.resource(widgets).on.create(
    (ctx) => {
      seen.push(ctx.retry);
      throw new TemporaryError('not yet', { delayMs: 10 });
    },
    { id: 'flaky' },
  );
  const ac = new AbortController();
  const running = first.run({ signal: ac.signal });
  await first.ready;
  await client.create(widgets, widget('b'));
  await waitUntil(
    async () => {
      const state = decodeState((await get(client, 'b'))?.metadata.annotations?.[STATE]);
      return (state?.pending?.handlers.flaky?.retries ?? 0) >= 2;
    },
    { message: 'two retries persisted' },
  );
  ac.abort();
  await running;
  const persisted = decodeState((await get(client, 'b'))?.metadata.annotations?.[STATE])!.pending!.handlers.flaky!;

  const second = operator(client);
  const resumedAt: number[] = [];
  second.resource(widgets).on.create(
    (ctx) => {
      resumedAt.push(ctx.retry);
      assert.equal(ctx.startedAt.getTime(), persisted.startedAt, 'the first attempt time survives the restart');
    },
    { id: 'flaky' },
  );
  await start(t, second);
  await waitUntil(async () => decodeState((await get(client, 'b'))?.metadata.annotations?.[STATE])?.handled, {
    message: 'handled after the restart',
  });
  assert.deepEqual(seen.slice(0, 2), [0, 1]);
  assert.equal(resumedAt[0], persisted.retries, 'the retry count carries on');
  assert.equal(resumedAt.length, 1);
});

test('a reconciler without cleanup holds no finalizer; its no-op rounds write nothing', async (t) => {
  const client = memoryClient();
  const op = operator(client);
  let applied = 0;
  op.resource(widgets).reconcile({
    apply: (ctx) => {
      applied++;
      ctx.patch.status.observed = (ctx.spec as { size: number }).size;
    },
  });
  await start(t, op);
  await client.create(widgets, widget('c'));
  await waitUntil(async () => ((await get(client, 'c'))?.status as { observed?: number } | undefined)?.observed === 1, {
    message: 'reconciled',
  });
  const obj = await get(client, 'c');
  assert.equal(obj?.metadata.finalizers, undefined);
  assert.deepEqual(
    client.writes({ fieldManager: 'unit' }).map((w) => w.subresource ?? 'main'),
    ['status'],
    'one write: the status',
  );
  await client.delete(widgets, { namespace: 'ns', name: 'c' });
  assert.equal(await get(client, 'c'), undefined, 'deleted at once: no finalizer to wait for');
  assert.ok(applied >= 1);
});

test('a spec changed while the reconciler runs is reconciled again, though our status write returned it (found by the soak)', async (t) => {
  const client = memoryClient();
  const op = operator(client);
  const seen: number[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  op.resource(widgets).reconcile({
    apply: async (ctx) => {
      const size = (ctx.spec as { size: number }).size;
      seen.push(size);
      // The first round waits until the user's update is stored: our status patch then answers with size 2.
      if (seen.length === 1) await held;
      ctx.patch.status.observed = size;
    },
  });
  await start(t, op);
  await client.create(widgets, widget('r'));
  await waitUntil(async () => seen.length === 1, { message: 'the first round started' });
  await client.patch(widgets, { namespace: 'ns', name: 'r' }, { spec: { size: 2 } });
  release();
  await waitUntil(async () => ((await get(client, 'r'))?.status as { observed?: number } | undefined)?.observed === 2, {
    message: 'size 2 reconciled',
  });
  assert.deepEqual(seen, [1, 2]);
});

test('cleanup holds our finalizer until it succeeded; retired finalizers are removed from live objects', async (t) => {
  const client = memoryClient();
  await client.create(widgets, widget('old', { size: 1 }, { finalizers: ['legacy.example.com/cleanup'] }));
  const op = operator(client);
  let cleanups = 0;
  op.resource(widgets).reconcile(
    {
      apply: () => {},
      cleanup: () => {
        if (++cleanups < 2) throw new TemporaryError('once more', { delayMs: 10 });
      },
    },
    { retiredFinalizers: ['legacy.example.com/cleanup'] },
  );
  await start(t, op);
  await waitUntil(
    async () => {
      const f = (await get(client, 'old'))?.metadata.finalizers;
      return f?.length === 1 && f[0] === FIN;
    },
    { message: 'the retired finalizer replaced by ours' },
  );
  await client.delete(widgets, { namespace: 'ns', name: 'old' });
  await waitUntil(async () => !(await get(client, 'old')), { message: 'deleted once cleanup succeeded' });
  assert.equal(cleanups, 2);
});

test('an operator upgraded to need no finalizer releases a retired one held by an object being deleted', async (t) => {
  const client = memoryClient();
  await client.create(widgets, widget('stuck', { size: 1 }, { finalizers: ['legacy.example.com/cleanup'] }));
  await client.delete(widgets, { namespace: 'ns', name: 'stuck' });
  assert.ok((await get(client, 'stuck'))?.metadata.deletionTimestamp, 'held by the old finalizer');
  const op = operator(client);
  op.resource(widgets).reconcile({ apply: () => {} }, { retiredFinalizers: ['legacy.example.com/cleanup'] });
  await start(t, op);
  await waitUntil(async () => !(await get(client, 'stuck')), { message: 'released' });
});

test('timers tick on matching objects; delete handlers run once, also without a finalizer (optional)', async (t) => {
  const client = memoryClient();
  const op = operator(client);
  const ticks: string[] = [];
  const farewells: string[] = [];
  const r = op.resource(widgets);
  r.timer(
    20,
    (ctx) => {
      ticks.push(ctx.name);
    },
    { labels: { tick: 'yes' } },
  );
  r.on.delete(
    (ctx) => {
      farewells.push(ctx.name);
    },
    { optional: true },
  );
  await start(t, op);
  await client.create(widgets, widget('t', { size: 1 }, { labels: { tick: 'yes' } }));
  await client.create(widgets, widget('quiet'));
  await waitUntil(() => ticks.length >= 3, { message: 'three ticks' });
  assert.ok(
    ticks.every((n) => n === 't'),
    'only the labelled object ticks',
  );
  await client.delete(widgets, { namespace: 'ns', name: 't' });
  await waitUntil(() => farewells.includes('t'), { message: 'the optional delete handler ran' });
  assert.deepEqual(farewells, ['t']);
});

test('workers start only once every cache synced', async (t) => {
  const client = memoryClient();
  for (const n of ['x', 'y', 'z']) await client.create(widgets, widget(n));
  await client.create({ version: 'v1', plural: 'configmaps' }, { metadata: { name: 'cm', namespace: 'ns' } });
  const op = operator(client);
  const seenConfigMaps: number[] = [];
  const cms = op.resource<KubeObject>({ version: 'v1', plural: 'configmaps' });
  cms.index('all', () => ['all']);
  const index = cms.index('names', (o) => [o.metadata.name ?? '']);
  op.resource(widgets).reconcile({
    apply: () => {
      seenConfigMaps.push(index.keys().length);
    },
  });
  await start(t, op);
  await waitUntil(() => seenConfigMaps.length >= 3, { message: 'three reconciles' });
  assert.ok(
    seenConfigMaps.every((n) => n === 1),
    `every reconcile saw the synced ConfigMap cache: ${seenConfigMaps}`,
  );
});

test('watchObjects: the named objects only, their changes and deletion, readable from the cache', async (t) => {
  const client = memoryClient();
  const configMaps = { version: 'v1', plural: 'configmaps' } as const;
  await client.create(configMaps, { metadata: { name: 'settings', namespace: 'ns' }, data: { v: '1' } } as unknown as KubeObject);
  await client.create(configMaps, { metadata: { name: 'other', namespace: 'ns' }, data: { v: 'x' } } as unknown as KubeObject);
  const op = operator(client);
  const seen: string[] = [];
  const watched = op.watchObjects<KubeObject & { data?: Record<string, string> }>(configMaps, [{ namespace: 'ns', name: 'settings' }], {
    onChange: ({ key, object }) => seen.push(`${key.name}=${object?.data?.v ?? 'gone'}`),
  });
  await start(t, op);
  assert.equal(watched.get({ namespace: 'ns', name: 'settings' })?.data?.v, '1', 'synced before ready');
  await client.patch(configMaps, { namespace: 'ns', name: 'settings' }, { data: { v: '2' } });
  await client.patch(configMaps, { namespace: 'ns', name: 'other' }, { data: { v: 'y' } });
  await client.delete(configMaps, { namespace: 'ns', name: 'settings' });
  await waitUntil(() => seen.includes('settings=gone'), { message: 'the deletion seen' });
  assert.deepEqual(seen, ['settings=1', 'settings=2', 'settings=gone'], 'never the other ConfigMap');
  assert.equal(watched.get({ namespace: 'ns', name: 'settings' }), undefined);
  assert.ok(client.requests.filter((r) => r.resource.endsWith('configmaps') && (r.verb === 'list' || r.verb === 'watch')).length > 0);
});

test('daemons: one per matching object, restarted after a failure, stopped when the object stops matching', async (t) => {
  const client = memoryClient();
  const op = operator(client);
  const starts: string[] = [];
  let stopped = 0;
  op.resource(widgets).daemon(
    async (ctx) => {
      starts.push(ctx.name);
      if (starts.length === 1) throw new TemporaryError('first run fails', { delayMs: 10 });
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      stopped++;
    },
    { labels: { run: 'yes' } },
  );
  await start(t, op);
  await client.create(widgets, widget('d', { size: 1 }, { labels: { run: 'yes' } }));
  await client.create(widgets, widget('idle'));
  await waitUntil(() => starts.length >= 2, { message: 'the daemon restarted after its failure' });
  await client.patch(widgets, { namespace: 'ns', name: 'd' }, { metadata: { labels: { run: null } } });
  await waitUntil(() => stopped === 1, { message: 'the daemon stopped when its filter stopped matching' });
  assert.deepEqual(starts, ['d', 'd'], 'never for the unlabelled object');
});
