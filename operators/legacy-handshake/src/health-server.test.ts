// Unit tests of the probe endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHealthServer } from './health-server.js';

test('healthz and readyz follow their callbacks; metrics when given; 404 otherwise', async () => {
  let ready = false;
  const server = await startHealthServer({
    port: 0, host: '127.0.0.1', isAlive: () => true, isReady: () => ready,
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'handshakes_total 1\n' }),
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 503);
    ready = true;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal(await (await fetch(`${base}/metrics`)).text(), 'handshakes_total 1\n');
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/healthz`, { method: 'POST' })).status, 405);
  } finally {
    await server.close();
  }
});
