// Unit tests of the in-memory client: the API server semantics the engine and reconciler tests rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, InvalidError, NotFoundError } from '../structs/errors.js';
import type { KubeObject } from '../structs/objects.js';
import { MemoryClient } from './memory-client.js';

const widgets = { group: 'example.com', version: 'v1', plural: 'widgets' } as const;
const client = () =>
  new MemoryClient({
    resources: [{ group: 'example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true, hasStatus: true }],
  });
const body = (name: string, extra: Record<string, unknown> = {}) =>
  ({ metadata: { name, namespace: 'ns', ...extra }, spec: { a: 1 }, status: { ignored: true } }) as unknown as KubeObject;

test('create fills identity and versions, ignores status on /status resources, refuses a second create', async () => {
  const c = client();
  const made = await c.create(widgets, body('a'));
  assert.equal(made.kind, 'Widget');
  assert.equal(made.apiVersion, 'example.com/v1');
  assert.ok(made.metadata.uid && made.metadata.resourceVersion);
  assert.equal(made.metadata.generation, 1);
  assert.equal(made.status, undefined);
  await assert.rejects(c.create(widgets, body('a')), ConflictError);
  await assert.rejects(c.get(widgets, { namespace: 'ns', name: 'nope' }), NotFoundError);
  assert.equal(await c.tryGet(widgets, { namespace: 'ns', name: 'nope' }), undefined);
});

test('patches: merge moves the generation with spec; /status only touches status; a failed json test is 422', async () => {
  const c = client();
  const made = await c.create(widgets, body('a'));
  const specced = await c.patch(widgets, { namespace: 'ns', name: 'a' }, { spec: { a: 2 }, status: { x: 1 } });
  assert.equal(specced.metadata.generation, 2);
  assert.equal(specced.status, undefined, 'status is written through /status only');
  const status = await c.patchStatus(widgets, { namespace: 'ns', name: 'a' }, { status: { x: 1 }, spec: { a: 9 } });
  assert.deepEqual(status.status, { x: 1 });
  assert.deepEqual(status.spec, { a: 2 });
  const same = await c.patch(widgets, { namespace: 'ns', name: 'a' }, { spec: { a: 2 } });
  assert.equal(same.metadata.resourceVersion, status.metadata.resourceVersion, 'a no-op write keeps the version');
  await assert.rejects(
    c.patch(widgets, { namespace: 'ns', name: 'a' }, [
      { op: 'test', path: '/metadata/resourceVersion', value: made.metadata.resourceVersion },
    ]),
    InvalidError,
  );
  assert.deepEqual(
    c.writes().map((w) => `${w.verb}${w.subresource ? `/${w.subresource}` : ''}`),
    ['create', 'patch', 'patch/status', 'patch', 'patch'],
  );
});

test('deletion waits for finalizers; the last one removed deletes the object', async () => {
  const c = client();
  await c.create(widgets, body('f', { finalizers: ['x/y'] }));
  await c.delete(widgets, { namespace: 'ns', name: 'f' });
  const held = await c.get(widgets, { namespace: 'ns', name: 'f' });
  assert.ok(held.metadata.deletionTimestamp);
  await c.patch(widgets, { namespace: 'ns', name: 'f' }, [{ op: 'remove', path: '/metadata/finalizers/0' }]);
  assert.equal(await c.tryGet(widgets, { namespace: 'ns', name: 'f' }), undefined);
});

test('watch: changes after it started, label and field selectors, a streaming list with its bookmark', async () => {
  const c = client();
  await c.create(widgets, body('before', { labels: { app: 'x' } }));
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of c.watch(widgets, {
      namespace: 'ns',
      labelSelector: 'app=x',
      fieldSelector: 'metadata.name!=skip',
      sendInitialEvents: true,
      signal: ac.signal,
    })) {
      seen.push(`${e.type} ${e.object.metadata.name ?? (e.object.metadata.annotations?.['k8s.io/initial-events-end'] ? 'end' : '')}`);
      if (seen.length === 4) ac.abort();
    }
  })();
  await c.create(widgets, body('other'));
  await c.create(widgets, body('skip', { labels: { app: 'x' } }));
  await c.create(widgets, body('after', { labels: { app: 'x' } }));
  await c.delete(widgets, { namespace: 'ns', name: 'after' });
  await done;
  assert.deepEqual(seen, ['ADDED before', 'BOOKMARK end', 'ADDED after', 'DELETED after']);
});

test('watch with a selector: an object leaving it is DELETED, one entering it ADDED (as the API server sends)', async () => {
  const c = client();
  await c.create(widgets, body('w', { labels: { app: 'x' } }));
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of c.watch(widgets, { namespace: 'ns', labelSelector: 'app=x', signal: ac.signal })) {
      seen.push(`${e.type} ${e.object.metadata.name}`);
      if (seen.length === 2) ac.abort();
    }
  })();
  await c.patch(widgets, { namespace: 'ns', name: 'w' }, { metadata: { labels: { app: null } } });
  await c.patch(widgets, { namespace: 'ns', name: 'w' }, { metadata: { labels: { app: 'x' } } });
  await done;
  assert.deepEqual(seen, ['DELETED w', 'ADDED w']);
});
