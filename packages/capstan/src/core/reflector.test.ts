// Unit tests of the reflector with a scripted API: 410 re-list with synthesised deletions, restarts on errors and stream ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient, WatchEvent } from '../client/surface.js';
import { GoneError, ServerError } from '../structs/errors.js';
import type { KubeObject, ResolvedResource } from '../structs/objects.js';
import { silentLogger } from './logging.js';
import { Reflector, type StoreEvent } from './reflector.js';

const resource: ResolvedResource = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, hasStatus: false };
const cm = (name: string, rv: string, uid = name): KubeObject => ({ metadata: { name, namespace: 'ns', uid, resourceVersion: rv } });

type Step = { list: KubeObject[]; rv: string } | { events: WatchEvent[]; then?: Error };

/** A fake client playing a script: each list() and watch() call takes the next matching step. */
function scripted(steps: Step[], done: () => void) {
  const calls: string[] = [];
  const client = {
    async list() {
      const step = steps.shift();
      if (!step || !('list' in step)) throw new Error(`unexpected list; next step: ${JSON.stringify(step)}`);
      calls.push('list');
      return { metadata: { resourceVersion: step.rv }, items: step.list };
    },
    async *watch(_ref: unknown, options: { resourceVersion?: string; signal?: AbortSignal }) {
      calls.push(`watch@${options.resourceVersion}`);
      const step = steps.shift();
      if (!step) {
        done(); // the script is over: stop the reflector
        return;
      }
      if (!('events' in step)) throw new Error('unexpected watch');
      for (const e of step.events) yield e;
      if (step.then) throw step.then;
    },
  };
  return { client: client as unknown as ApiClient, calls };
}

async function play(steps: Step[]) {
  const events: StoreEvent[] = [];
  const store = new Map<string, KubeObject>();
  const controller = new AbortController();
  const { client, calls } = scripted(steps, () => controller.abort());
  const r = new Reflector({ client, resource, store, onEvent: (e) => void events.push(e), logger: silentLogger, watch: { backoff: { baseMs: 1, capMs: 2 } } });
  await r.run(controller.signal);
  return { events, store, calls, stats: r.stats };
}

test('410 Gone: re-list and synthesise deletions for objects that vanished while not watching', async () => {
  const { events, store, calls, stats } = await play([
    { list: [cm('a', '1'), cm('doomed', '2')], rv: '10' },
    { events: [{ type: 'MODIFIED', object: cm('a', '11') }], then: new GoneError('expired', { status: 410 }) },
    { list: [cm('a', '11'), cm('new', '15')], rv: '20' },
  ]);
  assert.deepEqual(calls, ['list', 'watch@10', 'list', 'watch@20']);
  assert.deepEqual(events.map((e) => `${e.type}:${e.object.metadata.name}${e.synthetic ? '*' : ''}`),
    ['ADDED:a', 'ADDED:doomed', 'MODIFIED:a', 'ADDED:new', 'DELETED:doomed*']);
  assert.deepEqual([...store.keys()].sort(), ['ns/a', 'ns/new']);
  assert.equal(stats.gone, 1);
});

test('errors and stream ends reconnect from the last version seen (bookmarks included), never fatal', async () => {
  const { calls, stats, events } = await play([
    { list: [], rv: '5' },
    { events: [{ type: 'ADDED', object: cm('x', '6') }] },
    { events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }], then: new ServerError('boom', { status: 500 }) },
    { events: [{ type: 'DELETED', object: cm('x', '12') }] },
  ]);
  assert.deepEqual(calls, ['list', 'watch@5', 'watch@6', 'watch@9', 'watch@12']);
  assert.equal(stats.errors, 1);
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'DELETED']);
});

test('a re-listed object with a new uid is a deletion plus an addition; older versions never replace newer ones', async () => {
  const { events } = await play([
    { list: [cm('a', '1', 'u1')], rv: '3' },
    { events: [], then: new GoneError('expired', { status: 410 }) },
    { list: [cm('a', '8', 'u2')], rv: '9' },
  ]);
  assert.deepEqual(events.map((e) => `${e.type}:${e.object.metadata.uid}`), ['ADDED:u1', 'DELETED:u1', 'ADDED:u2']);
});
