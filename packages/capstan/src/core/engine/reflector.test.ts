// Unit tests of the reflector with a scripted API: 410 re-list with synthesised deletions, restarts on errors and stream ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient, WatchEvent } from '../../client/surface.js';
import { BadRequestError, GoneError, InvalidError, ServerError } from '../../structs/errors.js';
import type { KubeObject, ResolvedResource } from '../../structs/objects.js';
import { silentLogger } from '../logging.js';
import { isInitialEventsEnd, Reflector, streamingRefused, type StoreEvent } from './reflector.js';

const resource: ResolvedResource = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
  hasStatus: false,
};
const cm = (name: string, rv: string, uid = name): KubeObject => ({ metadata: { name, namespace: 'ns', uid, resourceVersion: rv } });

/** A list in one page, or in several; `then` fails the list after the pages given. */
type ListStep = { list: KubeObject[]; rv: string } | { pages: KubeObject[][]; rv: string; then?: Error };
/** A watch: `events` then end (or throw `then`); `initial` marks a streaming list (sendInitialEvents). */
type Step = ListStep | { events: WatchEvent[]; then?: Error; initial?: boolean };

/** A fake client playing a script: each listPages() and watch() call takes the next matching step. */
function scripted(steps: Step[], done: () => void) {
  const calls: string[] = [];
  const served = { pages: 0 };
  const client = {
    async *listPages() {
      const step = steps.shift();
      if (!step || !('rv' in step)) throw new Error(`unexpected list; next step: ${JSON.stringify(step)}`);
      calls.push('list');
      const pages = 'list' in step ? [step.list] : step.pages;
      for (const [i, items] of pages.entries()) {
        const more = i < pages.length - 1 || ('then' in step && step.then !== undefined);
        served.pages++;
        yield {
          items,
          resourceVersion: step.rv,
          continue: more ? `c${i + 1}` : undefined,
          list: { metadata: { resourceVersion: step.rv } },
        };
      }
      if ('then' in step && step.then) throw step.then;
    },
    async *watch(
      _ref: unknown,
      options: { resourceVersion?: string; signal?: AbortSignal; sendInitialEvents?: boolean; resourceVersionMatch?: string },
    ) {
      calls.push(options.sendInitialEvents ? `stream(${options.resourceVersionMatch})` : `watch@${options.resourceVersion}`);
      const step = steps.shift();
      if (!step) {
        done(); // the script is over: stop the reflector
        return;
      }
      if (!('events' in step)) throw new Error('unexpected watch');
      if (!!step.initial !== !!options.sendInitialEvents)
        throw new Error(`script expected ${step.initial ? 'a streaming list' : 'a plain watch'}`);
      for (const e of step.events) yield e;
      if (step.then) throw step.then;
    },
  };
  return { client: client as unknown as ApiClient, calls, served };
}

async function play(
  steps: Step[],
  listMode: 'auto' | 'stream' | 'paged' = 'paged',
  transform?: (obj: KubeObject) => KubeObject,
  logger = silentLogger,
) {
  const events: StoreEvent[] = [];
  const store = new Map<string, KubeObject>();
  const controller = new AbortController();
  const { client, calls } = scripted(steps, () => controller.abort());
  // What the store held when each list step began: a failed list must leave it as it was.
  const storeAtList: string[][] = [];
  const listing = client.listPages.bind(client);
  client.listPages = ((...args: Parameters<ApiClient['listPages']>) => {
    storeAtList.push([...store.keys()].sort());
    return listing(...args);
  }) as ApiClient['listPages'];
  const r = new Reflector({
    client,
    resource,
    store,
    onEvent: (e) => void events.push(e),
    logger,
    transform,
    watch: { backoff: { baseMs: 1, capMs: 2 }, listMode },
  });
  await r.run(controller.signal);
  return { events, store, calls, stats: r.stats, storeAtList };
}

test('410 Gone: re-list and synthesise deletions for objects that vanished while not watching', async () => {
  const { events, store, calls, stats } = await play([
    { list: [cm('a', '1'), cm('doomed', '2')], rv: '10' },
    { events: [{ type: 'MODIFIED', object: cm('a', '11') }], then: new GoneError('expired', { status: 410 }) },
    { list: [cm('a', '11'), cm('new', '15')], rv: '20' },
  ]);
  assert.deepEqual(calls, ['list', 'watch@10', 'list', 'watch@20']);
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}${e.synthetic ? '*' : ''}`),
    ['ADDED:a', 'ADDED:doomed', 'MODIFIED:a', 'ADDED:new', 'DELETED:doomed*'],
  );
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
  assert.deepEqual(
    events.map((e) => e.type),
    ['ADDED', 'DELETED'],
  );
});

test('a re-listed object with a new uid is a deletion plus an addition; older versions never replace newer ones', async () => {
  const { events } = await play([
    { list: [cm('a', '1', 'u1')], rv: '3' },
    { events: [], then: new GoneError('expired', { status: 410 }) },
    { list: [cm('a', '8', 'u2')], rv: '9' },
  ]);
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.uid}`),
    ['ADDED:u1', 'DELETED:u1', 'ADDED:u2'],
  );
});

const names = (events: StoreEvent[]) =>
  events.map((e) => `${e.type}:${e.object.metadata.name}${e.synthetic ? '*' : ''}${e.initial ? '+' : ''}`);

test('a paged first list emits nothing before its last page, then marks synced once', async () => {
  const synced: number[] = [];
  const events: StoreEvent[] = [];
  const store = new Map<string, KubeObject>();
  const controller = new AbortController();
  const { client, served } = scripted([{ pages: [[cm('a', '1'), cm('b', '2')], [cm('c', '3')], [cm('d', '4')]], rv: '7' }], () =>
    controller.abort(),
  );
  const pagesAtEvent: number[] = [];
  const r = new Reflector({
    client,
    resource,
    store,
    logger: silentLogger,
    watch: { listMode: 'paged' },
    onEvent: (e) => void (events.push(e), pagesAtEvent.push(served.pages)),
    onSynced: () => void synced.push(store.size),
  });
  await r.run(controller.signal);
  assert.deepEqual(names(events), ['ADDED:a+', 'ADDED:b+', 'ADDED:c+', 'ADDED:d+']);
  assert.deepEqual(pagesAtEvent, [3, 3, 3, 3], 'no event before the last page was in');
  assert.deepEqual(synced, [4], 'synced once, with every page in the store');
  assert.equal(r.resourceVersion, '7');
  assert.equal(events[0]?.object.kind, 'ConfigMap', 'typed in place');
  assert.equal(events[0]?.object.apiVersion, 'v1');
});

test('a paged re-list after 410 synthesises deletions across pages and replays only what changed', async () => {
  const { events, store, calls } = await play([
    {
      pages: [
        [cm('a', '1'), cm('b', '2')],
        [cm('c', '3'), cm('doomed', '4')],
      ],
      rv: '10',
    },
    { events: [], then: new GoneError('expired', { status: 410 }) },
    // b moved from page 1 to page 2, c changed, 'fresh' is in page 1 and was never in the store.
    {
      pages: [
        [cm('a', '1'), cm('fresh', '12')],
        [cm('b', '2'), cm('c', '13')],
      ],
      rv: '20',
    },
  ]);
  assert.deepEqual(calls, ['list', 'watch@10', 'list', 'watch@20']);
  assert.deepEqual(names(events.slice(4)), ['ADDED:fresh', 'MODIFIED:c', 'DELETED:doomed*']);
  assert.deepEqual([...store.keys()].sort(), ['ns/a', 'ns/b', 'ns/c', 'ns/fresh']);
});

test('an error mid-pagination leaves the store intact and lists again from the start', async () => {
  const { events, store, calls, stats, storeAtList } = await play([
    { list: [cm('a', '1'), cm('doomed', '2')], rv: '10' },
    { events: [], then: new GoneError('expired', { status: 410 }) },
    { pages: [[cm('a', '1'), cm('fresh', '12')]], rv: '20', then: new ServerError('boom', { status: 500 }) },
    { pages: [[cm('a', '1')], [cm('fresh', '12')]], rv: '21', then: new GoneError('continue token expired', { status: 410 }) },
    { pages: [[cm('a', '1')], [cm('fresh', '12')]], rv: '22' },
  ]);
  assert.deepEqual(calls, ['list', 'watch@10', 'list', 'list', 'list', 'watch@22']);
  assert.deepEqual(
    storeAtList.slice(1),
    [
      ['ns/a', 'ns/doomed'],
      ['ns/a', 'ns/doomed'],
      ['ns/a', 'ns/doomed'],
    ],
    'failed lists touched nothing',
  );
  assert.deepEqual(
    names(events),
    ['ADDED:a+', 'ADDED:doomed+', 'ADDED:fresh', 'DELETED:doomed*'],
    'events only from the list that completed',
  );
  assert.deepEqual([...store.keys()].sort(), ['ns/a', 'ns/fresh']);
  assert.deepEqual([stats.lists, stats.gone, stats.errors], [2, 2, 3]);
});

const end = (rv: string): WatchEvent => ({
  type: 'BOOKMARK',
  object: { metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } },
});
const bookmark = (rv: string): WatchEvent => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: rv } } });

test('a streaming list: initial events up to the end bookmark become one list; the same stream then watches', async () => {
  const { events, store, calls, stats } = await play(
    [
      {
        initial: true,
        events: [
          { type: 'ADDED', object: cm('a', '1') },
          { type: 'ADDED', object: cm('b', '2') },
          end('10'),
          { type: 'MODIFIED', object: cm('a', '11') },
        ],
      },
      { events: [] },
    ],
    'auto',
  );
  assert.deepEqual(calls, ['stream(NotOlderThan)', 'watch@11', 'watch@11']);
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}${e.initial ? '!' : ''}${e.listed ? '' : '~'}`),
    ['ADDED:a!', 'ADDED:b!', 'MODIFIED:a~'],
  );
  assert.deepEqual([...store.keys()].sort(), ['ns/a', 'ns/b']);
  assert.equal(stats.streamedLists, 1);
  assert.equal(stats.lists, 1);
});

test('nothing is emitted before the end bookmark; a plain bookmark does not end the initial events', async () => {
  const seen: string[] = [];
  const { events } = await play(
    [
      {
        initial: true,
        events: [{ type: 'ADDED', object: cm('a', '1') }, bookmark('5'), { type: 'ADDED', object: cm('b', '6') }, end('10')],
      },
    ],
    'stream',
  );
  for (const e of events) seen.push(`${e.type}:${e.object.metadata.name}`);
  assert.deepEqual(seen, ['ADDED:a', 'ADDED:b']);
});

test('a streamed re-list after 410 diffs into the store like a paged one: synthesised deletions, no replay of the unchanged', async () => {
  const { events, calls } = await play(
    [
      {
        initial: true,
        events: [{ type: 'ADDED', object: cm('a', '1') }, { type: 'ADDED', object: cm('doomed', '2') }, end('10')],
        then: new GoneError('expired', { status: 410 }),
      },
      { initial: true, events: [{ type: 'ADDED', object: cm('a', '1') }, { type: 'ADDED', object: cm('new', '15') }, end('20')] },
    ],
    'auto',
  );
  assert.deepEqual(calls, ['stream(NotOlderThan)', 'stream(NotOlderThan)', 'watch@20']);
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}${e.synthetic ? '*' : ''}`),
    ['ADDED:a', 'ADDED:doomed', 'ADDED:new', 'DELETED:doomed*'],
  );
});

test('auto: a server that refuses streaming lists gets paged lists, and is not asked again', async () => {
  const { calls, stats, events } = await play(
    [
      { initial: true, events: [], then: new InvalidError('sendInitialEvents is forbidden', { status: 422 }) },
      { list: [cm('a', '1')], rv: '10' },
      { events: [], then: new GoneError('expired', { status: 410 }) },
      { list: [cm('a', '1')], rv: '20' },
    ],
    'auto',
  );
  assert.deepEqual(calls, ['stream(NotOlderThan)', 'list', 'watch@10', 'list', 'watch@20']);
  assert.equal(stats.streamedLists, 0);
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}`),
    ['ADDED:a'],
  );
});

test('auto: a server that ignores sendInitialEvents (the stream ends with nothing) falls back too', async () => {
  const { calls } = await play(
    [
      { initial: true, events: [] },
      { list: [cm('a', '1')], rv: '10' },
    ],
    'auto',
  );
  assert.deepEqual(calls, ['stream(NotOlderThan)', 'list', 'watch@10']);
});

test('stream mode never falls back: a refusal is an error to retry; a cut stream is listed again', async () => {
  const { calls, stats } = await play(
    [
      { initial: true, events: [], then: new InvalidError('refused', { status: 422 }) },
      { initial: true, events: [{ type: 'ADDED', object: cm('a', '1') }] },
      { initial: true, events: [{ type: 'ADDED', object: cm('a', '1') }, end('10')] },
    ],
    'stream',
  );
  assert.deepEqual(calls, ['stream(NotOlderThan)', 'stream(NotOlderThan)', 'stream(NotOlderThan)', 'watch@10']);
  assert.equal(stats.errors, 2);
});

test('the end-of-initial-events bookmark and the refusals that mean "no streaming" are recognised', () => {
  assert.equal(isInitialEventsEnd(end('1')), true);
  assert.equal(isInitialEventsEnd(bookmark('1')), false);
  assert.equal(
    isInitialEventsEnd({ type: 'ADDED', object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } }),
    false,
  );
  const cases: Array<[unknown, boolean]> = [
    [new InvalidError('x', { status: 422 }), true],
    [new BadRequestError('x', { status: 400 }), true],
    [new ServerError('x', { status: 500 }), false],
    [new GoneError('x', { status: 410 }), false],
    [new Error('network'), false],
  ];
  for (const [error, want] of cases) assert.equal(streamingRefused(error), want, String(error));
});

test('the transform decides what the store keeps of listed, streamed and watched objects; one that throws keeps the object whole', async () => {
  const withData = (name: string, rv: string): KubeObject => ({ ...cm(name, rv), data: { big: 'x'.repeat(100), small: 'y' } });
  const keepSmall = (obj: KubeObject): KubeObject => {
    if (obj.metadata.name === 'odd') throw new Error('cannot compact this one');
    const { data, ...rest } = obj as KubeObject & { data: Record<string, string> };
    return { ...rest, data: { small: data.small! } };
  };
  const cases: Array<[string, Step[], 'paged' | 'stream']> = [
    [
      'paged list, then watch',
      [{ list: [withData('a', '1'), withData('odd', '2')], rv: '2' }, { events: [{ type: 'ADDED', object: withData('b', '3') }] }],
      'paged',
    ],
    [
      'streaming list, then watch',
      [
        {
          initial: true,
          events: [
            { type: 'ADDED', object: withData('a', '1') },
            { type: 'ADDED', object: withData('odd', '2') },
            { type: 'BOOKMARK', object: { metadata: { resourceVersion: '2', annotations: { 'k8s.io/initial-events-end': 'true' } } } },
            { type: 'ADDED', object: withData('b', '3') },
          ],
        },
      ],
      'stream',
    ],
  ];
  for (const [name, steps, mode] of cases) {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const { store, events } = await play(steps, mode, keepSmall, logger);
    const data = (key: string) => (store.get(key) as KubeObject & { data?: Record<string, string> }).data;
    assert.deepEqual(data('ns/a'), { small: 'y' }, name);
    assert.deepEqual(data('ns/b'), { small: 'y' }, `${name}: a watch event`);
    assert.equal(data('ns/odd')?.big?.length, 100, `${name}: kept whole`);
    assert.deepEqual(warnings, ['the cache transform failed; caching the object whole'], name);
    assert.ok(
      events.every((e) => e.object === store.get(e.key)),
      `${name}: events carry what the store keeps, under its key`,
    );
  }
});
