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
