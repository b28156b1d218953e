// Tests of the probe server: /healthz, /readyz, /metrics over real HTTP on an ephemeral port.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../../structs/errors.js';
import { createOperatorMetrics } from './metrics.js';
import { ProbeServer } from './probes.js';

describe('probe server', async () => {
  const metrics = createOperatorMetrics({ processMetrics: false });
  metrics.setLeader(true);
  let ready: boolean | string = false;
  let healthy = true;
  const probes = new ProbeServer({ host: '127.0.0.1', port: 0, metrics, checkTimeoutMs: 300 })
    .addHealthCheck('workers', () => (healthy ? true : 'worker pyvo.io/v1/agesecrets busy'))
    .addReadinessCheck('synced', async () => ready)
    .addReadinessCheck('custom', () => undefined);
  const { url } = await probes.start();
  after(() => probes.stop());

  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`${url}${path}`, { method });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };

  test('healthz: 200 ok, then 503 with a short plain-text reason', async () => {
    assert.deepEqual(await get('/healthz'), { status: 200, text: 'ok\n', type: 'text/plain; charset=utf-8' });
    healthy = false;
    const res = await get('/healthz');
    assert.equal(res.status, 503);
    assert.equal(res.text, '[-]workers failed: worker pyvo.io/v1/agesecrets busy\nhealthz check failed\n');
    healthy = true;
  });

  test('readyz: false fails, a string is the reason, verbose lists every check', async () => {
    ready = false;
    assert.equal((await get('/readyz')).status, 503);
    ready = 'initial list not done';
    assert.match((await get('/readyz')).text, /\[-\]synced failed: initial list not done/);
    ready = true;
    const res = await get('/readyz?verbose');
    assert.equal(res.status, 200);
    assert.equal(res.text, '[+]synced ok\n[+]custom ok\nok\n');
  });

  test('a throwing or hanging check fails without taking the server down', async () => {
    const p = new ProbeServer({ host: '127.0.0.1', port: 0, checkTimeoutMs: 50 })
      .addHealthCheck('throws', () => {
        throw new Error('kaput\nsecond line');
      })
      .addHealthCheck('hangs', () => new Promise(() => {}));
    const result = await p.run('healthz');
    assert.equal(result.ok, false);
    assert.deepEqual(result.checks, [
      { name: 'throws', ok: false, reason: 'kaput second line' },
      { name: 'hangs', ok: false, reason: 'no answer within 50 ms' },
    ]);
  });

  test('/metrics serves the operator registry', async () => {
    const res = await get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(res.text, /^capstan_leader_status 1$/m);
  });

  test('unknown paths 404, other methods 405, HEAD has no body', async () => {
    assert.equal((await get('/nope')).status, 404);
    assert.equal((await get('/healthz', 'POST')).status, 405);
    const head = await get('/healthz', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  test('bad registrations and a busy port are clear errors', async () => {
    assert.throws(() => probes.addHealthCheck('workers', () => true), ConfigurationError);
    assert.throws(() => probes.addHealthCheck('Bad Name', () => true), /kebab-case/);
    const port = Number(new URL(url).port);
    const clash = new ProbeServer({ host: '127.0.0.1', port });
    await assert.rejects(
      clash.start(),
      (e: unknown) => e instanceof ConfigurationError && /cannot listen for probes on 127\.0\.0\.1:\d+/.test(e.message),
    );
  });
});
