// Unit tests of the handshake client against the real legacy-mock server and hostile node:http servers.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLegacyMock, type LegacyMockOptions } from '@capstan/legacy-mock';
import { baseUrl, performHandshake } from './handshake.js';
import { HandshakeError } from './errors.js';

const SUFFIX = '-acknowledge';

async function mock(options: LegacyMockOptions = {}) {
  const app = createLegacyMock({ port: 0, host: '127.0.0.1', ...options });
  const url = new URL(await app.listen());
  return { app, port: Number(url.port) };
}

async function rawServer(listener: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function rejection(promise: Promise<unknown>): Promise<HandshakeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof HandshakeError, `expected a HandshakeError, got ${String(error)}`);
  return error;
}

function assertNoSecrets(error: Error): void {
  const text = `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`;
  for (const secret of [SUFFIX, 'This is @ $3cr3t key', Buffer.from('This is @ $3cr3t key').toString('base64')]) {
    assert.ok(!text.includes(secret), `error text leaks a secret: ${text}`);
  }
}

describe('performHandshake', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    await Promise.all(closers.map((close) => close()));
  });

  test('initialises the legacy app (503 Uninitialized -> 200 It works!)', async () => {
    const { app, port } = await mock();
    closers.push(() => app.close());
    const before = await fetch(`${app.url}/`);
    assert.equal(before.status, 503);
    assert.equal((await before.text()).trim(), 'Uninitialized');
    const result = await performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000 });
    assert.equal(result.status, 202);
    const afterwards = await fetch(`${app.url}/`);
    assert.equal(afterwards.status, 200);
    assert.equal((await afterwards.text()).trim(), 'It works!');
    assert.equal(app.stats.accepted, 1);
  });

  test('a wrong suffix is refused at the send-secret step with the status, without the suffix', async () => {
    const { app, port } = await mock({ suffix: SUFFIX });
    closers.push(() => app.close());
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: '-nope', timeoutMs: 5000 }));
    assert.equal(error.step, 'send-secret');
    assert.equal(error.failure, 'http-status');
    assert.ok(error.status !== undefined && error.status >= 400 && error.status < 500);
    assert.ok(!error.message.includes('-nope'));
    assert.equal(app.initialized, false);
  });

  test('a 500 on the key is a fetch-key http-status error; a later attempt succeeds', async () => {
    const { app, port } = await mock({ faults: { failFirstKeyRequests: 1 } });
    closers.push(() => app.close());
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000 }));
    assert.deepEqual([error.step, error.failure, error.status], ['fetch-key', 'http-status', 500]);
    assertNoSecrets(error);
    await performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000 });
    assert.equal(app.initialized, true);
  });

  test('a 500 on the secret is a send-secret error', async () => {
    const { app, port } = await mock({ faults: { failFirstSecretRequests: 1 } });
    closers.push(() => app.close());
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000 }));
    assert.deepEqual([error.step, error.failure, error.status], ['send-secret', 'http-status', 500]);
    assertNoSecrets(error);
  });

  test('a redirect is not followed', async () => {
    const target = await mock();
    const { app, port } = await mock({ faults: { redirectKeyTo: `${target.app.url}/internal/key` } });
    closers.push(
      () => app.close(),
      () => target.app.close(),
    );
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000 }));
    assert.deepEqual([error.step, error.failure, error.status], ['fetch-key', 'redirect', 307]);
    assert.equal(target.app.stats.keyRequests, 0);
  });

  test('a slow app times out per request', async () => {
    const { app, port } = await mock({ faults: { delayMs: 60_000 } });
    closers.push(() => app.close({ graceMs: 0 }));
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 200 }));
    assert.deepEqual([error.step, error.failure], ['fetch-key', 'timeout']);
    assert.match(error.message, /timed out after 200 ms/);
  });

  test('the caller signal aborts the handshake', async () => {
    const { app, port } = await mock({ faults: { delayMs: 60_000 } });
    closers.push(() => app.close({ graceMs: 0 }));
    const controller = new AbortController();
    const pending = performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    const error = await rejection(pending);
    assert.equal(error.failure, 'aborted');
  });

  test('a closed port is a connection error naming the errno', async () => {
    const { server, port } = await rawServer(() => {});
    await new Promise((resolve) => server.close(resolve));
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000 }));
    assert.deepEqual([error.step, error.failure], ['fetch-key', 'connection']);
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('a huge key body is cut off at the cap', async () => {
    const { server, port } = await rawServer((_req, res) => {
      res.writeHead(200);
      const chunk = 'A'.repeat(16 * 1024);
      for (let i = 0; i < 16; i++) res.write(chunk);
      res.end();
    });
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000, maxBodyBytes: 1024 }));
    assert.deepEqual([error.step, error.failure], ['fetch-key', 'too-large']);
  });

  test('a key that is not base64 is a decode-key error that does not echo it', async () => {
    const { server, port } = await rawServer((_req, res) => res.end('not base64 at all!'));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const error = await rejection(performHandshake({ host: '127.0.0.1', port, suffix: SUFFIX, timeoutMs: 5000 }));
    assert.deepEqual([error.step, error.failure], ['decode-key', 'bad-key']);
    assert.ok(!error.message.includes('not base64 at all'));
  });

  test('posts exactly base64(half + suffix), without the newline the seed pipeline adds', async () => {
    let posted = '';
    const { server, port } = await rawServer((req, res) => {
      if (req.method === 'GET') {
        res.end(`${Buffer.from('half').toString('base64')}\n`);
        return;
      }
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        posted += chunk;
      });
      req.on('end', () => {
        res.statusCode = 202;
        res.end('Accepted');
      });
    });
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    await performHandshake({ host: '127.0.0.1', port, suffix: '-ops', timeoutMs: 5000 });
    assert.equal(Buffer.from(posted, 'base64').toString('utf8'), 'half-ops');
  });
});

describe('baseUrl', () => {
  test('formats IPv4 and IPv6 pod IPs', () => {
    assert.equal(baseUrl('10.0.0.7', 3000), 'http://10.0.0.7:3000');
    assert.equal(baseUrl('fd00::7', 8080), 'http://[fd00::7]:8080');
  });
  test('refuses anything that is not an IP literal or a port', () => {
    for (const host of ['evil.example', '10.0.0.1/x', '10.0.0.1@evil', '']) assert.throws(() => baseUrl(host, 3000), TypeError);
    for (const port of [0, 65536, 1.5, Number.NaN]) assert.throws(() => baseUrl('10.0.0.1', port), TypeError);
  });
});
