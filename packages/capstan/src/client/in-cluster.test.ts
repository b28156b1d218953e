// Unit tests of in-cluster credentials under a temporary root: server address, CA, token rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../structs/errors.js';
import { inClusterCredentials, serviceAccountDir } from './in-cluster.js';
import { loadCredentials } from './kubeconfig.js';

function podRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'capstan-pod-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, serviceAccountDir), { recursive: true });
  writeFileSync(join(root, serviceAccountDir, 'ca.crt'), 'SA CA');
  writeFileSync(join(root, serviceAccountDir, 'token'), 'token-1');
  return root;
}

test("the service account's CA and token, the API server from host and port", async (t) => {
  const root = podRoot(t);
  const creds = await loadCredentials({ inCluster: true, root, host: '10.96.0.1', port: '6443' });
  assert.equal(creds.server.href, 'https://10.96.0.1:6443/');
  assert.equal(String(creds.tls.ca), 'SA CA');
  assert.equal(creds.tls.rejectUnauthorized, true);
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer token-1' });
  assert.equal((await loadCredentials({ inCluster: true, root, host: 'fd00::1', port: 443 })).server.host, '[fd00::1]');
  assert.equal((await loadCredentials({ inCluster: true, root, host: '127.0.0.1', port: 8080 })).server.protocol, 'http:');
  assert.equal((await loadCredentials({ inCluster: true, root })).server.href, 'https://kubernetes.default.svc/');
});

test('a rotated token is read again after the refresh interval', async (t) => {
  const root = podRoot(t);
  let clock = 1_000;
  const creds = await inClusterCredentials({ inCluster: true, root, host: 'h', port: 443 }, { now: () => clock });
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer token-1' });
  writeFileSync(join(root, serviceAccountDir, 'token'), 'token-2\n');
  clock += 10_000;
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer token-1' });
  clock += 20_000;
  assert.deepEqual(await creds.headers(), { Authorization: 'Bearer token-2' });
});

test('a missing service account is a ConfigurationError naming the file', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'capstan-pod-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  await assert.rejects(
    loadCredentials({ inCluster: true, root, host: 'h' }),
    (e) => e instanceof ConfigurationError && /ca\.crt: ENOENT/.test(e.message),
  );
});
