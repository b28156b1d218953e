// Unit tests of loadCredentials: tokens, token files, client certificates, CA, TLS options, basic auth, fallbacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../structs/errors.js';
import { credentialsFromSelection } from './kubeconfig-credentials.js';
import { parseKubeconfig, selectKubeconfig } from './kubeconfig-file.js';
import { loadCredentials } from './kubeconfig.js';

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      clusters: [{ name: 'c', cluster: { server: 'https://api.example:6443', ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    },
    null,
    1,
  );
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('a token and inline CA data, from YAML text', async () => {
  const creds = await loadCredentials(kubeconfig({ 'certificate-authority-data': b64('CA PEM') }, { token: 'tok' }));
  assert.equal(creds.server.href, 'https://api.example:6443/');
  assert.equal(String(creds.tls.ca), 'CA PEM');
  assert.equal(creds.tls.rejectUnauthorized, true);
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer tok' });
});

test("file paths resolve against the kubeconfig file's directory; -data wins over the file", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'pki'));
  writeFileSync(join(dir, 'pki', 'ca.crt'), 'CA FILE');
  writeFileSync(join(dir, 'pki', 'client.crt'), 'CERT FILE');
  writeFileSync(join(dir, 'pki', 'client.key'), 'KEY FILE');
  const path = join(dir, 'config');
  writeFileSync(
    path,
    kubeconfig(
      { 'certificate-authority': 'pki/ca.crt' },
      { 'client-certificate': 'pki/client.crt', 'client-key': join(dir, 'pki', 'client.key') },
    ),
  );
  const fromFiles = await loadCredentials({ path });
  assert.deepEqual([String(fromFiles.tls.ca), String(fromFiles.tls.cert), String(fromFiles.tls.key)], ['CA FILE', 'CERT FILE', 'KEY FILE']);
  assert.deepEqual(await fromFiles.headers(), {});
  writeFileSync(
    path,
    kubeconfig(
      { 'certificate-authority': 'pki/ca.crt', 'certificate-authority-data': b64('CA DATA') },
      { 'client-certificate-data': b64('CERT DATA'), 'client-key-data': b64('KEY DATA') },
    ),
  );
  const fromData = await loadCredentials(path);
  assert.deepEqual([String(fromData.tls.ca), String(fromData.tls.cert), String(fromData.tls.key)], ['CA DATA', 'CERT DATA', 'KEY DATA']);
});

test('insecure-skip-tls-verify, tls-server-name, basic auth and impersonation', async () => {
  const creds = await loadCredentials({
    yaml: kubeconfig({ 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' }, { username: 'ann', password: 'pw', as: 'bob' }),
  });
  assert.equal(creds.tls.rejectUnauthorized, false);
  assert.equal(creds.tls.servername, 'kubernetes');
  assert.deepEqual(await creds.headers(), { Authorization: `Basic ${b64('ann:pw')}`, 'Impersonate-User': 'bob' });
});

test('`context` picks another context', async () => {
  const doc = JSON.parse(kubeconfig({}, { token: 'one' })) as { clusters: unknown[]; users: unknown[]; contexts: unknown[] };
  doc.clusters.push({ name: 'c2', cluster: { server: 'http://other.example:8080' } });
  doc.users.push({ name: 'u2', user: { token: 'two' } });
  doc.contexts.push({ name: 'other', context: { cluster: 'c2', user: 'u2' } });
  const creds = await loadCredentials({ yaml: JSON.stringify(doc, null, 1), context: 'other' });
  assert.equal(creds.server.host, 'other.example:8080');
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer two' });
});

test('a tokenFile (relative) is re-read after the refresh interval, not on every request', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'token'), 'first\n');
  let clock = 0;
  const selection = selectKubeconfig(parseKubeconfig(kubeconfig({}, { tokenFile: 'token', token: 'ignored' })));
  const creds = await credentialsFromSelection(selection, { dir, now: () => clock });
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer first' });
  writeFileSync(join(dir, 'token'), 'second\n');
  clock = 29_999;
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer first' });
  clock = 30_000;
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer second' });
  rmSync(join(dir, 'token'));
  clock = 60_000;
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer second' }, 'a failed re-read keeps the last token');
});

test('errors are ConfigurationErrors naming the file, never its content', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(
    loadCredentials({ path: join(dir, 'missing') }),
    (e) => e instanceof ConfigurationError && e.message.includes('missing') && e.cause !== undefined,
  );
  const path = join(dir, 'config');
  writeFileSync(path, kubeconfig({ 'certificate-authority': 'nope.crt' }, { token: 'sekret' }));
  await assert.rejects(loadCredentials(path), (e) => {
    assert.ok(e instanceof ConfigurationError);
    assert.match(e.message, /certificate-authority .*nope\.crt: ENOENT/);
    assert.ok(!e.message.includes('sekret'));
    return true;
  });
  await assert.rejects(loadCredentials(kubeconfig({}, { 'client-certificate-data': b64('CERT') })), /without its key/);
  await assert.rejects(loadCredentials(kubeconfig({ server: 'not a url' })), /not a URL/);
});

test("an exec user goes through client-node (the plugin's token is used)", async (t) => {
  const dir = tempDir(t);
  const plugin = join(dir, 'plugin.sh');
  writeFileSync(
    plugin,
    `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`,
  );
  chmodSync(plugin, 0o755);
  const creds = await loadCredentials(
    kubeconfig(
      { 'tls-server-name': 'api' },
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
    ),
  );
  assert.equal(creds.tls.servername, 'api');
  assert.equal((await creds.headers()).Authorization, 'Bearer from-exec');
});

test('a client-node KubeConfig instance is accepted as is', async () => {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig({ 'insecure-skip-tls-verify': true }, { token: 'kc-token' }));
  const creds = await loadCredentials(kc);
  assert.equal(creds.server.hostname, 'api.example');
  assert.equal(creds.tls.rejectUnauthorized, false);
  assert.equal((await creds.headers()).Authorization, 'Bearer kc-token');
});
