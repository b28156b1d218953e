// HTTP-level tests of the legacy-mock server: every endpoint, header, refusal and fault knob.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createLegacyMock, type LegacyMock } from './server.js';
import type { LegacyMockOptions } from './options.js';

const SEED_KEY = 'VGhpcyBpcyBAICQzY3IzdCBrZXk=';
const SEED_SECRET = 'VGhpcyBpcyBAICQzY3IzdCBrZXktYWNrbm93bGVkZ2UK';

async function started(options: LegacyMockOptions = {}): Promise<LegacyMock> {
  const app = createLegacyMock({ port: 0, host: '127.0.0.1', ...options });
  await app.listen();
  return app;
}

// Runs `body` against a fresh app and always closes it.
async function withApp(options: LegacyMockOptions, body: (app: LegacyMock) => Promise<void>): Promise<void> {
  const app = await started(options);
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

function assertCommonHeaders(res: Response): void {
  assert.equal(res.headers.get('x-app-name'), 'legacy-mock');
  assert.equal(res.headers.get('x-app-version'), '0.1.0');
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
}

async function call(app: LegacyMock, path: string, init?: RequestInit): Promise<{ status: number; text: string; res: Response }> {
  const res = await fetch(new URL(path, app.url), { redirect: 'manual', ...init });
  const text = await res.text();
  assertCommonHeaders(res);
  return { status: res.status, text, res };
}

describe('legacy-mock endpoints (the seed walkthrough)', () => {
  let app: LegacyMock;
  before(async () => {
    app = await started();
  });
  after(() => app.close());

  test('GET /health answers 200 {"status":"ok"} with a body of 16 bytes, like the seed', async () => {
    const { status, text, res } = await call(app, '/health');
    assert.equal(status, 200);
    assert.equal(text, '{"status":"ok"}\n');
    assert.equal(res.headers.get('content-length'), '16');
  });

  test('GET / answers 503 Uninitialized before the handshake', async () => {
    const { status, text } = await call(app, '/');
    assert.equal(status, 503);
    assert.equal(text, 'Uninitialized\n');
    assert.equal(app.initialized, false);
  });

  test('GET /internal/key answers the seed value, and the seed pipeline value is accepted', async () => {
    const key = await call(app, '/internal/key');
    assert.equal(key.status, 200);
    assert.equal(key.text.trim(), SEED_KEY);
    // The seed's pipeline: base64 -d | xargs -I {} echo '{}-acknowledge' | base64
    const computed = Buffer.from(`${Buffer.from(key.text, 'base64').toString('utf8')}-acknowledge\n`).toString('base64');
    assert.equal(computed, SEED_SECRET);
    // curl -d sends application/x-www-form-urlencoded without encoding: the body must be taken raw.
    const posted = await call(app, '/internal/secret', {
      method: 'POST',
      body: SEED_SECRET,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(posted.status, 202);
    assert.equal(posted.text, 'Accepted\n');
    assert.equal(posted.res.headers.get('content-length'), '9');
  });

  test('GET / answers 200 It works! after the handshake', async () => {
    const { status, text, res } = await call(app, '/');
    assert.equal(status, 200);
    assert.equal(text, 'It works!\n');
    assert.equal(res.headers.get('content-length'), '10');
    assert.equal(app.initialized, true);
    assert.deepEqual(app.stats, { keyRequests: 1, secretRequests: 1, accepted: 1, refused: 0 });
  });

  test('HEAD is answered like GET without a body', async () => {
    const { status, text } = await call(app, '/health', { method: 'HEAD' });
    assert.equal(status, 200);
    assert.equal(text, '');
  });

  test('query strings do not change the route', async () => {
    assert.equal((await call(app, '/health?probe=1')).status, 200);
  });
});

describe('legacy-mock refusals', () => {
  let app: LegacyMock;
  before(async () => {
    app = await started({ maxBodyBytes: 64 });
  });
  after(() => app.close());

  const post = (body: string): Promise<{ status: number; text: string }> => call(app, '/internal/secret', { method: 'POST', body });

  test('a wrong value is 403 and leaves the app uninitialized', async () => {
    const res = await post(Buffer.from('This is @ $3cr3t key-nope').toString('base64'));
    assert.equal(res.status, 403);
    assert.equal(res.text, 'Wrong secret\n');
    assert.equal((await call(app, '/')).status, 503);
  });

  test('bad base64 and an empty body are 400 with a reason', async () => {
    const bad = await post('%%% not base64 %%%');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /base64/);
    const empty = await post('');
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Empty/);
  });

  test('a body over the cap is 413 and not buffered', async () => {
    const res = await post('A'.repeat(65));
    assert.equal(res.status, 413);
    assert.match(res.text, /too large/);
  });

  test('a chunked body over the cap is 413 too', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('/internal/secret', app.url), { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('A'.repeat(40));
      req.end('A'.repeat(40));
    });
    assert.equal(status, 413);
  });

  test('wrong methods are 405 with an Allow header', async () => {
    const getSecret = await call(app, '/internal/secret');
    assert.equal(getSecret.status, 405);
    assert.equal(getSecret.res.headers.get('allow'), 'POST');
    const postKey = await call(app, '/internal/key', { method: 'POST', body: 'x' });
    assert.equal(postKey.status, 405);
    assert.equal(postKey.res.headers.get('allow'), 'GET, HEAD');
    assert.equal((await call(app, '/', { method: 'DELETE' })).status, 405);
  });

  test('unknown paths are 404', async () => {
    const res = await call(app, '/internal/keys');
    assert.equal(res.status, 404);
    assert.equal(res.text, 'Not found\n');
  });

  test('refusals are counted and nothing was accepted', () => {
    assert.equal(app.stats.accepted, 0);
    assert.equal(app.stats.refused, 3); // wrong value, bad base64, empty (413s never reach the check)
    assert.equal(app.initialized, false);
  });
});

describe('legacy-mock configuration and faults', () => {
  test('a configured half and suffix are used', async () => {
    await withApp({ keyHalf: 'other half', suffix: '-ops' }, async (app) => {
      const key = await call(app, '/internal/key');
      assert.equal(Buffer.from(key.text, 'base64').toString(), 'other half');
      const bad = await call(app, '/internal/secret', { method: 'POST', body: Buffer.from('other half-acknowledge').toString('base64') });
      assert.equal(bad.status, 403);
      const good = await call(app, '/internal/secret', { method: 'POST', body: Buffer.from('other half-ops').toString('base64') });
      assert.equal(good.status, 202);
    });
  });

  test('failFirstKeyRequests answers 500 to the first N key requests, then the key', async () => {
    await withApp({ faults: { failFirstKeyRequests: 2 } }, async (app) => {
      assert.equal((await call(app, '/internal/key')).status, 500);
      assert.equal((await call(app, '/internal/key')).status, 500);
      const third = await call(app, '/internal/key');
      assert.equal(third.status, 200);
      assert.equal(third.text.trim(), SEED_KEY);
    });
  });

  test('failFirstSecretRequests answers 500 even to a correct secret, then accepts it', async () => {
    await withApp({ faults: { failFirstSecretRequests: 1 } }, async (app) => {
      assert.equal((await call(app, '/internal/secret', { method: 'POST', body: SEED_SECRET })).status, 500);
      assert.equal(app.initialized, false);
      assert.equal((await call(app, '/internal/secret', { method: 'POST', body: SEED_SECRET })).status, 202);
    });
  });

  test('delayMs holds /internal/* answers (a client with a shorter timeout gives up) but not /health', async () => {
    const app = await started({ faults: { delayMs: 60_000 } });
    try {
      assert.equal((await call(app, '/health')).status, 200);
      await assert.rejects(fetch(new URL('/internal/key', app.url), { signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' });
    } finally {
      // close() must not wait for the pending delay.
      await app.close({ graceMs: 60_000 });
    }
  });

  test('redirectKeyTo answers the key request with a 307 and a Location', async () => {
    await withApp({ faults: { redirectKeyTo: 'http://203.0.113.9:3000/internal/key' } }, async (app) => {
      const res = await call(app, '/internal/key');
      assert.equal(res.status, 307);
      assert.equal(res.res.headers.get('location'), 'http://203.0.113.9:3000/internal/key');
    });
  });

  test('state is per instance: a new process starts uninitialized', async () => {
    const first = await started();
    await call(first, '/internal/secret', { method: 'POST', body: SEED_SECRET });
    assert.equal((await call(first, '/')).status, 200);
    await first.close();
    const second = await started();
    try {
      assert.equal((await call(second, '/')).status, 503);
    } finally {
      await second.close();
    }
  });

  test('invalid options are refused with the setting named', () => {
    assert.throws(() => createLegacyMock({ port: 70000 }), { name: 'LegacyMockConfigError', setting: 'port' });
    assert.throws(() => createLegacyMock({ keyHalf: '' }), { setting: 'keyHalf' });
    assert.throws(() => createLegacyMock({ faults: { redirectKeyTo: 'not a url' } }), { setting: 'faults.redirectKeyTo' });
  });

  test('url before listen() is a clear error; close() before listen() is a no-op', async () => {
    const app = createLegacyMock({ port: 0 });
    assert.throws(() => app.url, /not listening/);
    await app.close();
  });

  test('the log never receives the key half or the secret', async () => {
    const lines: string[] = [];
    await withApp({ log: (line) => lines.push(line) }, async (app) => {
      await call(app, '/internal/key');
      await call(app, '/internal/secret', { method: 'POST', body: Buffer.from('This is @ $3cr3t key-wrong').toString('base64') });
      await call(app, '/internal/secret', { method: 'POST', body: SEED_SECRET });
    });
    assert.ok(lines.some((l) => /handshake accepted/.test(l)));
    for (const line of lines) {
      assert.doesNotMatch(line, /3cr3t|VGhp|acknowledge/, line);
    }
  });
});
