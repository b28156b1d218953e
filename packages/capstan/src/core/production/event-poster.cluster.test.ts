// Tests of KubeEventPoster against the real API server: fields, aggregation, rate limit, truncation, swallowed failures.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../../client/surface.js';
import type { KubeObject } from '../../structs/objects.js';
import { eventsRef, KubeEventPoster, maxEventMessage } from './event-poster.js';
import type { LogFields, Logger } from '../logging.js';
import { createOperatorMetrics } from './metrics.js';

const namespaces = { version: 'v1', plural: 'namespaces' };
const configmaps = { version: 'v1', plural: 'configmaps' };

interface CoreEvent extends KubeObject {
  involvedObject: { kind: string; name: string; namespace?: string; uid?: string };
  reason: string;
  message: string;
  type: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent: string;
}

describe('KubeEventPoster', () => {
  let client: ApiClient;
  let ns: string;
  let owner: KubeObject;
  const logged: { msg: string; fields?: LogFields | undefined }[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (msg, fields) => logged.push({ msg, fields }), error() {} };

  before(async () => {
    const cluster = await useTestCluster();
    client = await ApiClient.create({ path: cluster.kubeconfigPath });
    ns = `events-${randomBytes(4).toString('hex')}`;
    await client.create(namespaces, { metadata: { name: ns } });
    owner = await client.create(configmaps, { metadata: { name: 'target', namespace: ns }, data: { a: '1' } });
  });
  after(async () => {
    await client?.delete(namespaces, { name: ns }).catch(() => {});
    client?.close();
  });

  const eventsAbout = async (name: string) =>
    (await client.list<CoreEvent>(eventsRef, { namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items;

  test('posts an Event with the object reference, source and timestamps', async () => {
    const poster = new KubeEventPoster({ client, reportingComponent: 'demo-operator', reportingInstance: 'pod-1', logger });
    await poster.recorder(owner).info('Created', 'made the thing');
    const [event, ...rest] = await eventsAbout('target');
    assert.equal(rest.length, 0);
    assert.equal(event?.involvedObject.kind, 'ConfigMap');
    assert.equal(event?.involvedObject.namespace, ns);
    assert.equal(event?.involvedObject.uid, owner.metadata.uid);
    assert.equal(event?.type, 'Normal');
    assert.equal(event?.reason, 'Created');
    assert.equal(event?.message, 'made the thing');
    assert.equal(event?.count, 1);
    assert.deepEqual(event?.source, { component: 'demo-operator', host: 'pod-1' });
    assert.equal(event?.reportingComponent, 'demo-operator');
    assert.equal(event?.firstTimestamp, event?.lastTimestamp);
  });

  test('identical events within the window update one Event; a different message makes another', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const metrics = createOperatorMetrics({ processMetrics: false });
    const poster = new KubeEventPoster({ client, reportingComponent: 'demo-operator', logger, metrics, now: () => now });
    const target = await client.create(configmaps, { metadata: { name: 'aggregated', namespace: ns } });
    const rec = poster.recorder(target);
    await Promise.all([rec.warn('Failing', 'key missing'), rec.warn('Failing', 'key missing')]);
    now = new Date('2030-01-01T00:01:00Z');
    await rec.warn('Failing', 'key missing');
    await rec.warn('Failing', 'other problem');
    const events = await eventsAbout('aggregated');
    assert.equal(events.length, 2);
    const same = events.find((e) => e.message === 'key missing');
    assert.equal(same?.count, 3);
    assert.equal(same?.firstTimestamp, '2030-01-01T00:00:00Z');
    assert.equal(same?.lastTimestamp, '2030-01-01T00:01:00Z');
    assert.equal(events.find((e) => e.message === 'other problem')?.count, 1);
    assert.match((await metrics.render()).body, /capstan_events_posted_total\{type="Warning",outcome="aggregated"\} 2/);

    now = new Date('2030-01-01T01:00:00Z');
    await rec.warn('Failing', 'key missing');
    assert.equal((await eventsAbout('aggregated')).length, 3, 'after the window a new Event starts');
  });

  test('an Event deleted meanwhile is recreated rather than lost', async () => {
    const poster = new KubeEventPoster({ client, reportingComponent: 'demo-operator', logger });
    const target = await client.create(configmaps, { metadata: { name: 'recreated', namespace: ns } });
    await poster.recorder(target).info('Synced', 'ok');
    const [first] = await eventsAbout('recreated');
    await client.delete(eventsRef, { namespace: ns, name: first?.metadata.name ?? '' });
    await poster.recorder(target).info('Synced', 'ok');
    const events = await eventsAbout('recreated');
    assert.equal(events.length, 1);
    assert.notEqual(events[0]?.metadata.name, first?.metadata.name);
  });

  test('rate limit per object: a burst, then one per refill interval', async () => {
    let now = new Date('2030-02-01T00:00:00Z');
    const poster = new KubeEventPoster({ client, reportingComponent: 'demo-operator', logger, burst: 2, refillMs: 60_000, now: () => now });
    const target = await client.create(configmaps, { metadata: { name: 'limited', namespace: ns } });
    for (const n of [1, 2, 3, 4]) await poster.recorder(target).info('Step', `step ${n}`);
    assert.deepEqual((await eventsAbout('limited')).map((e) => e.message).sort(), ['step 1', 'step 2']);
    now = new Date('2030-02-01T00:01:00Z');
    await poster.recorder(target).info('Step', 'step 5');
    assert.equal((await eventsAbout('limited')).length, 3);
  });

  test('long messages are truncated to 1024 characters', async () => {
    const poster = new KubeEventPoster({ client, reportingComponent: 'demo-operator', logger });
    const target = await client.create(configmaps, { metadata: { name: 'long', namespace: ns } });
    await poster.recorder(target).warn('Long', 'x'.repeat(5000));
    const [event] = await eventsAbout('long');
    assert.equal(event?.message.length, maxEventMessage);
    assert.ok(event?.message.endsWith('...'));
  });

  test('without RBAC for patch, identical events still get posted (as new Events)', async (t) => {
    const cluster = await useTestCluster();
    if (!cluster.capabilities.mintUserTokens) return t.skip('needs minted user tokens (local cluster)');
    const user = `events-creator-${ns}`;
    const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' };
    await client.create(
      { ...rbac, plural: 'roles' },
      { metadata: { name: 'create-events', namespace: ns }, rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }] },
    );
    await client.create(
      { ...rbac, plural: 'rolebindings' },
      {
        metadata: { name: 'create-events', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'create-events' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    );
    const limited = await ApiClient.create({ path: cluster.userKubeconfig({ user }) });
    try {
      // RBAC reaches the authorizer's cache a moment after the binding is written: wait until it does.
      const deadline = Date.now() + 60_000;
      for (let i = 0; ; i++) {
        const ok = await limited
          .create(
            eventsRef,
            {
              metadata: { name: `rbac-probe-${i}`, namespace: ns },
              involvedObject: { kind: 'ConfigMap', name: 'rbac-probe', namespace: ns },
              reason: 'Probe',
              message: 'probe',
            },
            { namespace: ns },
          )
          .then(
            () => true,
            () => false,
          );
        if (ok) break;
        if (Date.now() > deadline) throw new Error('the Role never took effect');
        await new Promise((r) => setTimeout(r, 200));
      }
      const poster = new KubeEventPoster({ client: limited, reportingComponent: 'demo-operator', logger });
      const target = await client.create(configmaps, { metadata: { name: 'no-patch', namespace: ns } });
      await poster.recorder(target).info('Again', 'same');
      await poster.recorder(target).info('Again', 'same');
      assert.equal((await eventsAbout('no-patch')).length, 2);
    } finally {
      limited.close();
    }
  });

  test('a failing post is logged and swallowed, never thrown', async () => {
    const poster = new KubeEventPoster({ client, reportingComponent: 'demo-operator', logger });
    const ghost: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', namespace: `missing-${ns}`, uid: 'u-1' } };
    await poster.recorder(ghost).warn('Nowhere', 'the namespace does not exist');
    await poster.flush();
    const entry = logged.find((l) => l.msg === 'could not post an event');
    assert.ok(entry, 'the failure is logged');
    assert.match(String(entry.fields?.error), /NotFoundError/);
    assert.equal(entry.fields?.reason, 'Nowhere');
  });
});
