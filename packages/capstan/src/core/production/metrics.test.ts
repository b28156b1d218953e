// Tests of the operator metrics: names, labels, the hooks adapter and per-operator registries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { combineHooks, createOperatorMetrics } from './metrics.js';

describe('operator metrics', () => {
  test('the hooks adapter feeds capstan_ series with bounded labels', async () => {
    const m = createOperatorMetrics({ operator: 'demo', processMetrics: false });
    const hooks = m.hooks();
    hooks.handlerRun?.({
      resource: 'pyvo.io/v1/agesecrets',
      handler: 'create',
      kind: 'create',
      outcome: 'success',
      durationMs: 120,
      retry: 0,
    });
    hooks.handlerRun?.({ resource: 'pyvo.io/v1/agesecrets', handler: 'create', kind: 'create', outcome: 'retry', durationMs: 5, retry: 0 });
    hooks.watchRestart?.({ resource: 'pyvo.io/v1/agesecrets', reason: 'initial' });
    hooks.watchEvent?.({ resource: 'pyvo.io/v1/agesecrets', type: 'ADDED' });
    hooks.watchError?.({ resource: 'pyvo.io/v1/agesecrets', error: new Error('boom') });
    hooks.queue?.({ resource: 'pyvo.io/v1/agesecrets', depth: 3, running: 1 });
    hooks.synced?.({ resource: 'pyvo.io/v1/agesecrets' });
    hooks.apiRequest?.({ verb: 'patch/status', method: 'PATCH', status: 200, durationMs: 12 });
    hooks.leadership?.({ leading: true });
    hooks.workStarted?.({ resource: 'pyvo.io/v1/agesecrets', namespace: 'ns', name: 'secret-name', key: '0:uid', waitMs: 200 });
    m.eventPosted({ type: 'Normal', outcome: 'aggregated' });

    const { body, contentType } = await m.render();
    assert.match(contentType, /^text\/plain/);
    // Label order differs between metric types: compare label sets.
    const has = (line: string) => {
      const norm = (l: string) => l.replace(/\{(.*)\}/, (_m, labels: string) => `{${labels.split(',').sort().join(',')}}`);
      assert.ok(body.split('\n').map(norm).includes(norm(line)), `missing: ${line}\n${body}`);
    };
    has('capstan_handler_runs_total{resource="pyvo.io/v1/agesecrets",handler="create",outcome="success",operator="demo"} 1');
    has('capstan_handler_runs_total{resource="pyvo.io/v1/agesecrets",handler="create",outcome="retry",operator="demo"} 1');
    has('capstan_handler_retries_total{resource="pyvo.io/v1/agesecrets",handler="create",operator="demo"} 1');
    has('capstan_handler_duration_seconds_count{resource="pyvo.io/v1/agesecrets",handler="create",operator="demo"} 2');
    has('capstan_handler_duration_seconds_bucket{le="0.25",resource="pyvo.io/v1/agesecrets",handler="create",operator="demo"} 2');
    has('capstan_handler_duration_seconds_bucket{le="0.1",resource="pyvo.io/v1/agesecrets",handler="create",operator="demo"} 1');
    has('capstan_watch_starts_total{resource="pyvo.io/v1/agesecrets",reason="initial",operator="demo"} 1');
    has('capstan_watch_events_total{resource="pyvo.io/v1/agesecrets",type="ADDED",operator="demo"} 1');
    has('capstan_watch_errors_total{resource="pyvo.io/v1/agesecrets",operator="demo"} 1');
    has('capstan_queue_depth{resource="pyvo.io/v1/agesecrets",operator="demo"} 3');
    has('capstan_queue_running{resource="pyvo.io/v1/agesecrets",operator="demo"} 1');
    has('capstan_queue_wait_seconds_count{resource="pyvo.io/v1/agesecrets",operator="demo"} 1');
    has('capstan_queue_wait_seconds_bucket{le="0.25",resource="pyvo.io/v1/agesecrets",operator="demo"} 1');
    has('capstan_queue_wait_seconds_bucket{le="0.1",resource="pyvo.io/v1/agesecrets",operator="demo"} 0');
    has('capstan_resource_synced{resource="pyvo.io/v1/agesecrets",operator="demo"} 1');
    has('capstan_api_request_duration_seconds_count{verb="patch/status",code="200",operator="demo"} 1');
    has('capstan_events_posted_total{type="Normal",outcome="aggregated",operator="demo"} 1');
    has('capstan_leader_status{operator="demo"} 1');
    assert.ok(!body.includes('boom'), 'error text never becomes a label');
    assert.ok(!body.includes('secret-name'), 'object names never become labels');
  });

  test('each operator gets its own registry, with process metrics when asked', async () => {
    const a = createOperatorMetrics({ processMetrics: true });
    const b = createOperatorMetrics({ processMetrics: true });
    a.setLeader(true);
    assert.notEqual(a.registry, b.registry);
    assert.match((await a.render()).body, /^capstan_leader_status 1$/m);
    assert.match((await b.render()).body, /^capstan_leader_status 0$/m);
    assert.match((await a.render()).body, /^capstan_process_cpu_seconds_total /m);
  });

  test('combineHooks calls every set and survives a throwing one', () => {
    const seen: string[] = [];
    const hooks = combineHooks(
      {
        watchEvent: () => {
          throw new Error('bad observer');
        },
      },
      undefined,
      { watchEvent: (i) => seen.push(i.type), leadership: (i) => seen.push(String(i.leading)) },
    );
    hooks.watchEvent?.({ resource: 'r', type: 'MODIFIED' });
    hooks.leadership?.({ leading: false });
    assert.deepEqual(seen, ['MODIFIED', 'false']);
  });

  test("an operator's own counter and gauge share the registry; a collected gauge is computed at each scrape", async () => {
    const m = createOperatorMetrics({ operator: 'demo', processMetrics: false });
    const refusals = m.counter({ name: 'demo_refusals_total', help: 'Refusals.', labelNames: ['namespace', 'reason'] });
    refusals.inc({ namespace: 'a', reason: 'NoMatchingKey' });
    refusals.inc({ namespace: 'a', reason: 'NoMatchingKey' }, 2);
    const plain = m.gauge({ name: 'demo_keys', help: 'Keys.', labelNames: ['namespace'] });
    plain.set({ namespace: 'a' }, 2);
    let objects = [{ labels: { ready: 'True' }, value: 3 }];
    m.gauge({ name: 'demo_objects', help: 'Objects.', labelNames: ['ready'], collect: () => objects });
    let { body } = await m.render();
    assert.match(body, /^# HELP demo_refusals_total Refusals\.$/m);
    assert.match(body, /^demo_refusals_total\{namespace="a",reason="NoMatchingKey",operator="demo"\} 3$/m);
    assert.match(body, /^demo_keys\{namespace="a",operator="demo"\} 2$/m);
    assert.match(body, /^demo_objects\{ready="True",operator="demo"\} 3$/m);
    // The next scrape shows only what collect returns now: a series gone from it is gone from /metrics.
    objects = [{ labels: { ready: 'False' }, value: 1 }];
    ({ body } = await m.render());
    assert.doesNotMatch(body, /demo_objects\{ready="True"/);
    assert.match(body, /^demo_objects\{ready="False",operator="demo"\} 1$/m);
    plain.reset();
    ({ body } = await m.render());
    assert.doesNotMatch(body, /^demo_keys\{/m);
    assert.throws(() => m.counter({ name: 'demo_refusals_total', help: 'again' }), /already been registered/);
  });
});
