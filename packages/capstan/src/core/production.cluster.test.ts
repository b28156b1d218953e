// Two operator instances with production services on one cluster: exactly one acts, the other takes over on release; probes, metrics, Events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../client/surface.js';
import type { KubeObject } from '../structs/objects.js';
import { silentLogger } from './logging.js';
import { createOperator } from './operator.js';
import { ProductionServices } from './production.js';

const namespaces = { version: 'v1', plural: 'namespaces' };
const configmaps = { version: 'v1', plural: 'configmaps' };
const events = { version: 'v1', plural: 'events' };

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve().then(check).catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Instance {
  identity: string;
  prod: ProductionServices;
  stop: AbortController;
  done: Promise<void>;
}

describe('production services on the engine (two instances)', () => {
  let client: ApiClient;
  let kubeconfigPath: string;
  let ns: string;
  const instances: Instance[] = [];

  function start(identity: string): Instance {
    const prod = new ProductionServices({
      name: 'prod-test', client, logger: silentLogger, instance: identity,
      probes: { host: '127.0.0.1', port: 0 },
      // A 10-minute lease: takeover in this test can only come from the graceful release.
      leaderElection: { namespace: ns, identity, leaseDurationMs: 600_000, renewDeadlineMs: 300_000, retryPeriodMs: 300 },
    });
    const op = createOperator({
      // The engine makes its own client from the kubeconfig, so API requests reach the hooks (metrics).
      name: 'prod-test', kubeconfig: { path: kubeconfigPath }, logger: silentLogger, namespaces: [ns],
      hooks: prod.hooks(), events: prod.poster ?? false, leadership: prod.gate, shutdownGraceMs: 5000,
    });
    op.resource<KubeObject>({ version: 'v1', plural: 'configmaps' }).on.create(async (ctx) => {
      ctx.patch.metadata.annotations['handled-by'] = identity;
      await ctx.events.info('Handled', `handled by ${identity}`);
    }, { id: 'mark', labels: { test: 'production' } });
    prod.expect([`/v1/configmaps`]);
    const stop = new AbortController();
    const done = prod.start().then(() => op.run({ signal: stop.signal })).finally(() => prod.stop());
    const instance = { identity, prod, stop, done };
    instances.push(instance);
    return instance;
  }

  before(async () => {
    const cluster = await useTestCluster();
    kubeconfigPath = cluster.kubeconfigPath;
    client = await ApiClient.create({ path: kubeconfigPath });
    ns = `prod-${randomBytes(4).toString('hex')}`;
    await client.create(namespaces, { metadata: { name: ns } });
  });
  after(async () => {
    for (const i of instances) i.stop.abort();
    await Promise.allSettled(instances.map((i) => i.done));
    await client?.delete(namespaces, { name: ns }).catch(() => {});
    client?.close();
  });

  const handledBy = (name: string) => until(`${name} handled`, async () =>
    (await client.get(configmaps, { namespace: ns, name })).metadata.annotations?.['handled-by']);
  const probe = async (i: Instance, path: string) => {
    const res = await fetch(`${i.prod.probeUrl}${path}`);
    return { status: res.status, text: await res.text() };
  };

  test('exactly one instance acts; the standby takes over when the leader stops gracefully', async () => {
    const a = start('instance-a');
    await until('a to lead', () => a.prod.leadership === 'leading');
    const b = start('instance-b');
    await until('b to stand by', () => b.prod.leadership === 'standby');

    await client.create(configmaps, { metadata: { name: 'first', namespace: ns, labels: { test: 'production' } } });
    assert.equal(await handledBy('first'), 'instance-a');

    // Probes: both ready (lists done, leadership known); only the leader reports leader_status 1 and handler runs.
    await until('both ready', async () => (await probe(a, '/readyz')).status === 200 && (await probe(b, '/readyz')).status === 200);
    assert.equal((await probe(a, '/healthz')).status, 200);
    const metricsA = (await probe(a, '/metrics')).text;
    const metricsB = (await probe(b, '/metrics')).text;
    assert.match(metricsA, /^capstan_leader_status\{operator="prod-test"\} 1$/m);
    assert.match(metricsB, /^capstan_leader_status\{operator="prod-test"\} 0$/m);
    assert.match(metricsA, /^capstan_handler_runs_total\{[^}]*outcome="success"[^}]*\} 1$/m);
    assert.doesNotMatch(metricsB, /^capstan_handler_runs_total\{/m, 'the standby ran no handler');
    assert.match(metricsB, /^capstan_watch_events_total\{/m, 'the standby watches (warm cache)');
    assert.match(metricsA, /^capstan_api_request_duration_seconds_count\{[^}]*verb="patch"/m);

    const posted = await until('the Event', async () =>
      (await client.list<KubeObject & { reason: string; source: { component: string }; reportingInstance: string }>(events, { namespace: ns, fieldSelector: 'involvedObject.name=first' }))
        .items.find((e) => e.reason === 'Handled'));
    assert.equal(posted.source.component, 'prod-test');
    assert.equal(posted.reportingInstance, 'instance-a');

    a.stop.abort();
    await a.done;
    await until('b to take over', () => b.prod.leadership === 'leading');
    await client.create(configmaps, { metadata: { name: 'second', namespace: ns, labels: { test: 'production' } } });
    assert.equal(await handledBy('second'), 'instance-b');
    assert.equal((await client.get(configmaps, { namespace: ns, name: 'first' })).metadata.annotations?.['handled-by'], 'instance-a', 'not handled twice');
  });
});
