// HTTP-level tests of the numbers app: the page re-reads the file, clear pages, headers, /healthz, methods.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNumbersApp, type NumbersApp } from './server.js';

describe('numbers app over HTTP', () => {
  let dir: string;
  let secret: string;
  let app: NumbersApp;
  const lines: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'numbers-http-'));
    secret = join(dir, 'secret.txt');
    app = createNumbersApp({ port: 0, host: '127.0.0.1', secretFile: secret, log: (l) => lines.push(l) });
    await app.listen();
  });
  after(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('GET / shows the numbers of the file, escaped, with protective headers', async () => {
    await writeFile(secret, '9 1 7 <i>3</i>\n');
    const res = await fetch(new URL('/', app.url));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await res.text();
    for (const n of ['9', '1', '7']) assert.match(html, new RegExp(`<span class="cell">${n}</span>`));
    assert.match(html, /&lt;i&gt;3&lt;\/i&gt;/);
  });

  test('the file is re-read on every request', async () => {
    await writeFile(secret, '1234 5678');
    assert.match(await (await fetch(app.url)).text(), /5678/);
    await writeFile(secret, '8765');
    const html = await (await fetch(app.url)).text();
    assert.match(html, /8765/);
    assert.doesNotMatch(html, /5678/);
  });

  test('a missing file gives the clear 503 page, not a stack trace', async () => {
    await unlink(secret);
    const res = await fetch(app.url);
    assert.equal(res.status, 503);
    const html = await res.text();
    assert.match(html, /No numbers to refine/);
    assert.doesNotMatch(html, /at .*\.ts:\d+|Error:/);
  });

  test('an empty file gives the clear empty page', async () => {
    await writeFile(secret, '\n');
    const res = await fetch(app.url);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /The file is empty/);
  });

  test('GET /healthz is 200 ok whatever the file, and /style.css is CSS', async () => {
    const health = await fetch(new URL('/healthz', app.url));
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok\n');
    const css = await fetch(new URL('/style.css', app.url));
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(await css.text(), /@keyframes drift/);
  });

  test('unknown paths are 404 and other methods 405', async () => {
    assert.equal((await fetch(new URL('/admin', app.url))).status, 404);
    const post = await fetch(app.url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  test('the log never carries the numbers', async () => {
    await writeFile(secret, 'SECRET-31415');
    await fetch(new URL('/?q=SECRET-31415', app.url));
    assert.ok(lines.length > 0);
    for (const line of lines) assert.doesNotMatch(line, /31415/, line);
  });
});

test('with a pod root, the absolute secret path is read under it', async () => {
  const root = await mkdtemp(join(tmpdir(), 'numbers-podroot-'));
  try {
    await mkdir(join(root, 'app'));
    await writeFile(join(root, 'app', 'secret.txt'), '271828');
    const app = createNumbersApp({ port: 0, host: '127.0.0.1', podRoot: root });
    await app.listen();
    try {
      assert.equal(app.secretPath, join(root, 'app', 'secret.txt'));
      assert.match(await (await fetch(app.url)).text(), /<span class="cell">271828<\/span>/);
    } finally {
      await app.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
