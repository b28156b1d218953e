// Unit tests of what a registration implies for watching: the label selector the API server may filter by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, PRESENT } from '../../structs/filters.js';
import { ResourceRegistration } from './registry.js';

const noop = () => undefined;
const pods = { version: 'v1', plural: 'pods' };

test('the server-side label selector is what every consumer requires, and none when something needs every object', () => {
  const cases: Array<[string, (r: ResourceRegistration) => void, string | undefined]> = [
    [
      'a reconciler with a label filter',
      (r) => r.reconcile({ apply: noop }, { labels: { 'secret-handshake': PRESENT } }),
      'secret-handshake',
    ],
    ['exact values and absence', (r) => r.on.event(noop, { labels: { app: 'web', legacy: ABSENT } }), '!legacy,app=web'],
    [
      'only the shared requirements of several handlers',
      (r) => {
        r.on.create(noop, { labels: { app: 'web', tier: 'front' } });
        r.timer(1000, noop, { labels: { app: 'web' } });
        r.daemon(noop, { labels: { app: 'web', tier: 'back' } });
      },
      'app=web',
    ],
    ['predicates are not pushed down', (r) => r.on.event(noop, { labels: { app: (v) => v?.startsWith('w') ?? false } }), undefined],
    [
      'one unfiltered handler needs every object',
      (r) => {
        r.on.event(noop, { labels: { app: 'web' } });
        r.on.update(noop);
      },
      undefined,
    ],
    [
      'an index needs every object',
      (r) => {
        r.on.event(noop, { labels: { app: 'web' } });
        r.index('all', () => ['x']);
      },
      undefined,
    ],
    [
      'a trigger of another resource needs every object',
      (r) => {
        r.on.event(noop, { labels: { app: 'web' } });
        new ResourceRegistration({ version: 'v1', plural: 'configmaps' }).watches(r, () => []);
      },
      undefined,
    ],
    [
      'a finalizer: an object leaving the selector would look deleted',
      (r) => r.reconcile({ apply: noop, cleanup: noop }, { labels: { app: 'web' } }),
      undefined,
    ],
    ['optional delete handlers add no finalizer', (r) => r.on.delete(noop, { labels: { app: 'web' }, optional: true }), 'app=web'],
    ['nothing registered', () => undefined, undefined],
  ];
  for (const [name, register, want] of cases) {
    const reg = new ResourceRegistration(pods);
    register(reg);
    assert.equal(reg.serverLabelSelector, want, name);
  }
});

test('an index files each object under its keys, re-files it on change and forgets it on deletion', () => {
  const names = (objs: { metadata: { name?: string } }[]) => objs.map((o) => o.metadata.name).sort();
  // Steps: `name:key,key` files (or re-files) an object under its keys, `name:-` deletes it.
  const cases: Array<[string, string[], Record<string, string[]>]> = [
    ['one object per key', ['a:x', 'b:y'], { x: ['a'], y: ['b'] }],
    ['several objects under one key', ['a:x', 'b:x', 'c:x'], { x: ['a', 'b', 'c'] }],
    ['one object under several keys, a key listed twice', ['a:x,y,x'], { x: ['a'], y: ['a'] }],
    ['re-filed under a new key', ['a:x', 'b:x', 'a:y'], { x: ['b'], y: ['a'] }],
    ['a shared bucket emptied and refilled', ['a:x', 'b:x', 'a:-', 'b:-', 'c:x'], { x: ['c'] }],
    ['deleted', ['a:x,y', 'a:-'], {}],
    ['no keys at all', ['a:'], {}],
  ];
  for (const [name, steps, want] of cases) {
    const reg = new ResourceRegistration(pods);
    const index = reg.index('by-keys', (o) => (o.metadata.annotations?.keys ? o.metadata.annotations.keys.split(',') : []));
    const impl = reg.indexes.get('by-keys')!;
    for (const step of steps) {
      const [objName, keys] = step.split(':') as [string, string];
      const deleted = keys === '-';
      impl.update({ metadata: { name: objName, namespace: 'ns', annotations: { keys: deleted ? '' : keys } } }, deleted, `ns/${objName}`);
    }
    assert.deepEqual(index.keys().sort(), Object.keys(want).sort(), `${name}: keys`);
    for (const [key, objs] of Object.entries(want)) assert.deepEqual(names(index.get(key)), objs, `${name}: ${key}`);
    assert.deepEqual(index.get('absent'), [], name);
  }
});

test('an index sees the latest version of an object re-filed under the same key', () => {
  const reg = new ResourceRegistration(pods);
  const index = reg.index('by-app', (o) => [String(o.metadata.labels?.app)]);
  const impl = reg.indexes.get('by-app')!;
  impl.update({ metadata: { name: 'a', namespace: 'ns', labels: { app: 'web' }, resourceVersion: '1' } }, false);
  impl.update({ metadata: { name: 'a', namespace: 'ns', labels: { app: 'web' }, resourceVersion: '2' } }, false);
  assert.deepEqual(
    index.get('web').map((o) => o.metadata.resourceVersion),
    ['2'],
  );
});
