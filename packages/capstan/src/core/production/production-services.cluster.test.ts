// Two operator instances with production services on one cluster: exactly one acts, the other takes over on release; probes, metrics, Events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../../client/surface.js';
import { TemporaryError } from '../../structs/errors.js';
import type { KubeObject } from '../../structs/objects.js';
import { silentLogger } from '../logging.js';
import { createOperator } from '../operator.js';
import { ProductionServices } from './production-services.js';

const namespaces = { version: 'v1', plural: 'namespaces' };
const configmaps = { version: 'v1', plural: 'configmaps' };
const events = { version: 'v1', plural: 'events' };

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(check)
      .catch(() => undefined);
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
      name: 'prod-test',
      client,
      logger: silentLogger,
      instance: identity,
      probes: { host: '127.0.0.1', port: 0 },
      // A 10-minute lease: takeover in this test can only come from the graceful release.
      leaderElection: { namespace: ns, identity, leaseDurationMs: 600_000, renewDeadlineMs: 300_000, retryPeriodMs: 300 },
    });
    const op = createOperator({
      // The engine makes its own client from the kubeconfig, so API requests reach the hooks (metrics).
      name: 'prod-test',
      kubeconfig: { path: kubeconfigPath },
      logger: silentLogger,
      namespaces: [ns],
      hooks: prod.hooks(),
      events: prod.poster ?? false,
      leadership: prod.gate,
      shutdownGraceMs: 5000,
    });
    op.resource<KubeObject>({ version: 'v1', plural: 'configmaps' }).on.create(
      async (ctx) => {
        ctx.patch.metadata.annotations['handled-by'] = identity;
        await ctx.events.info('Handled', `handled by ${identity}`);
      },
      { id: 'mark', labels: { test: 'production' } },
    );
    prod.expect([`/v1/configmaps`]);
    const stop = new AbortController();
    const done = prod
      .start()
      .then(() => op.run({ signal: stop.signal }))
      .finally(() => prod.stop());
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

  const handledBy = (name: string) =>
    until(`${name} handled`, async () => (await client.get(configmaps, { namespace: ns, name })).metadata.annotations?.['handled-by']);
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
      (
        await client.list<KubeObject & { reason: string; source: { component: string }; reportingInstance: string }>(events, {
          namespace: ns,
          fieldSelector: 'involvedObject.name=first',
        })
      ).items.find((e) => e.reason === 'Handled'),
    );
    assert.equal(posted.source.component, 'prod-test');
    assert.equal(posted.reportingInstance, 'instance-a');

    a.stop.abort();
    await a.done;
    await until('b to take over', () => b.prod.leadership === 'leading');
    await client.create(configmaps, { metadata: { name: 'second', namespace: ns, labels: { test: 'production' } } });
    assert.equal(await handledBy('second'), 'instance-b');
    assert.equal(
      (await client.get(configmaps, { namespace: ns, name: 'first' })).metadata.annotations?.['handled-by'],
      'instance-a',
      'not handled twice',
    );
  });
});

describe('createOperator settings switch the production services on', () => {
  test('probes, metrics, Events and a Lease from the settings; the lease is released on stop', async () => {
    const cluster = await useTestCluster();
    const client = await ApiClient.create({ path: cluster.kubeconfigPath });
    const ns = `prodset-${randomBytes(4).toString('hex')}`;
    await client.create(namespaces, { metadata: { name: ns } });
    const op = createOperator({
      name: 'settings-test',
      kubeconfig: { path: cluster.kubeconfigPath },
      logger: silentLogger,
      namespaces: [ns],
      instance: 'pod-7',
      probes: { host: '127.0.0.1', port: 0 },
      leaderElection: { namespace: ns, identity: 'pod-7-x', leaseDurationMs: 600_000, renewDeadlineMs: 300_000, retryPeriodMs: 300 },
    });
    op.resource<KubeObject>({ version: 'v1', plural: 'configmaps' }).on.create(
      async (ctx) => {
        await ctx.events.info('Seen', 'seen by the operator');
      },
      { id: 'seen', labels: { test: 'settings' } },
    ); // not kube-root-ca.crt, which every namespace gets
    op.resource<KubeObject>({ version: 'v1', plural: 'configmaps' }).on.create(
      async (ctx) => {
        if (ctx.retry === 0) throw new TemporaryError('not yet', { delayMs: 100 });
      },
      { id: 'flaky', labels: { test: 'flaky' } },
    );
    const stop = new AbortController();
    assert.equal(op.probeAddress, undefined, 'no address before run()');
    const done = op.run({ signal: stop.signal });
    try {
      const address = await op.probesListening;
      assert.ok(address && address.port > 0 && address.host === '127.0.0.1', `the bound address, got ${JSON.stringify(address)}`);
      assert.deepEqual(op.probeAddress, address);
      const url = address.url;
      assert.equal(url, `http://127.0.0.1:${address.port}`);
      await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200);
      await client.create(configmaps, { metadata: { name: 'c1', namespace: ns, labels: { test: 'settings' } } });
      const event = await until('the Event', async () =>
        (
          await client.list<KubeObject & { reason: string; reportingInstance: string }>(events, {
            namespace: ns,
            fieldSelector: 'involvedObject.name=c1',
          })
        ).items.find((e) => e.reason === 'Seen'),
      );
      assert.equal(event.reportingInstance, 'pod-7');
      await client.create(configmaps, { metadata: { name: 'c2', namespace: ns, labels: { test: 'flaky' } } });
      const engineEvents = await until("the engine's Events", async () => {
        const items = (
          await client.list<KubeObject & { reason: string; type: string; message: string }>(events, {
            namespace: ns,
            fieldSelector: 'involvedObject.name=c2',
          })
        ).items;
        return items.some((e) => e.reason === 'HandlerSucceeded') && items;
      });
      assert.deepEqual(engineEvents.map((e) => `${e.type} ${e.reason}: ${e.message}`).sort(), [
        'Normal HandlerSucceeded: flaky succeeded',
        'Warning HandlerRetrying: flaky: TemporaryError: not yet; will retry',
      ]);
      const lease = await client.get<KubeObject & { spec: { holderIdentity: string } }>(
        { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
        { namespace: ns, name: 'settings-test-leader' },
      );
      assert.equal(lease.spec.holderIdentity, 'pod-7-x');
      // The handler run is counted when it returns, just after its Event: wait for it.
      const metrics = await until('the handler run counted', async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return /^capstan_handler_runs_total\{[^}]*handler="seen"/m.test(text) && text;
      });
      assert.match(metrics, /^capstan_leader_status\{operator="settings-test"\} 1$/m);
      assert.match(metrics, /^capstan_handler_runs_total\{[^}]*handler="seen"[^}]*\} 1$/m);
      assert.match(metrics, /^capstan_events_posted_total\{[^}]*outcome="created"[^}]*\} 1$/m);
      // Queue wait is observed when a worker starts on an object: c1 and c2 (twice, for its retry) at least.
      const waits = Number(/^capstan_queue_wait_seconds_count\{[^}]*resource="\/v1\/configmaps"[^}]*\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
      assert.ok(waits >= 3, `capstan_queue_wait_seconds_count for /v1/configmaps: ${waits}`);
    } finally {
      stop.abort();
      await done;
    }
    assert.equal(op.probeAddress, undefined, 'no address once stopped');
    const released = await client.get<KubeObject & { spec: { holderIdentity?: string } }>(
      { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
      { namespace: ns, name: 'settings-test-leader' },
    );
    assert.equal(released.spec.holderIdentity ?? '', '', 'released on a graceful stop');
    await client.delete(namespaces, { name: ns }).catch(() => {});
    client.close();
  });
});

describe('the stuck-worker liveness check', () => {
  test('a handler that ignores its signal past the bound makes /healthz 503, naming the object; returning recovers', async () => {
    const cluster = await useTestCluster();
    const client = await ApiClient.create({ path: cluster.kubeconfigPath });
    const ns = `stuck-${randomBytes(4).toString('hex')}`;
    await client.create(namespaces, { metadata: { name: ns } });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const op = createOperator({
      name: 'stuck-test',
      kubeconfig: { path: cluster.kubeconfigPath },
      logger: silentLogger,
      namespaces: [ns],
      probes: { host: '127.0.0.1', port: 0 },
      health: { stuckWorkerMs: 500 },
      shutdownGraceMs: 1000,
    });
    op.resource<KubeObject>({ version: 'v1', plural: 'configmaps' }).on.create(
      async () => {
        entered = true;
        await released; // deliberately deaf to ctx.signal: the wedge the check exists for
      },
      { id: 'wedge', labels: { test: 'stuck' } },
    );
    const stop = new AbortController();
    const done = op.run({ signal: stop.signal });
    try {
      const url = (await op.probesListening)?.url;
      assert.ok(url, 'the probe server listens');
      const healthz = async () => {
        const res = await fetch(`${url}/healthz`);
        return { status: res.status, text: await res.text() };
      };
      await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200);
      assert.equal((await healthz()).status, 200);
      await client.create(configmaps, {
        metadata: { name: 'blocked', namespace: ns, labels: { test: 'stuck' }, annotations: { note: 'do-not-show' } },
        data: { value: 'private' },
      });
      await until('the handler to start', () => entered);
      const failing = await until('/healthz to fail', async () => {
        const h = await healthz();
        return h.status === 503 && h.text.includes(`${ns}/blocked`) && h.text;
      });
      assert.match(
        failing,
        new RegExp(`^\\[-\\]workers failed: worker stuck: /v1/configmaps ${ns}/blocked for \\d+ s \\(bound 1 s\\)$`, 'm'),
      );
      assert.doesNotMatch(failing, /private|do-not-show/, 'names only, never data');
      release();
      await until('/healthz to recover', async () => (await healthz()).status === 200);
    } finally {
      release();
      stop.abort();
      await done;
      await client.delete(namespaces, { name: ns }).catch(() => {});
      client.close();
    }
  });
});
