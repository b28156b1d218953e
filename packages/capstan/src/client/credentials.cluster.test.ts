// Native kubeconfig credentials against the real API server: CA file, tokenFile, tls-server-name, insecure, in-cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from './api-client.js';
import { serviceAccountDir } from './in-cluster.js';
import type { KubeConfigSource } from './kubeconfig.js';

const namespaces = { version: 'v1', plural: 'namespaces' };

async function canList(source: KubeConfigSource): Promise<void> {
  const client = await ApiClient.create(source);
  try {
    const list = await client.list(namespaces, { limit: 1 });
    assert.ok(Array.isArray(list.items));
  } finally {
    client.close();
  }
}

test('native credentials connect to the real API server', async (t) => {
  const cluster = await useTestCluster();
  if (!cluster.adminToken || !cluster.ca) return t.skip("needs the local cluster's admin token and CA");
  const dir = mkdtempSync(join(tmpdir(), 'capstan-creds-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.crt'), cluster.ca);
  writeFileSync(join(dir, 'token'), cluster.adminToken);
  const config = (clusterFields: Record<string, unknown>) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}`);
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'x',
        clusters: [{ name: 'c', cluster: { server: cluster.server, ...clusterFields } }],
        users: [{ name: 'u', user: { tokenFile: 'token' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      }),
    );
    return { path };
  };

  await t.test('CA file and tokenFile, relative to the kubeconfig', () => canList(config({ 'certificate-authority': 'ca.crt' })));
  await t.test('tls-server-name is the name verified', async () => {
    await canList(config({ 'certificate-authority': 'ca.crt', 'tls-server-name': 'kubernetes.default.svc' }));
    await assert.rejects(
      canList(config({ 'certificate-authority': 'ca.crt', 'tls-server-name': 'not-the-apiserver.example' })),
      /altnames|Hostname/i,
    );
  });
  await t.test('without the CA the serving certificate is refused, unless insecure-skip-tls-verify', async () => {
    await assert.rejects(canList(config({})), /certificate/i);
    await canList(config({ 'insecure-skip-tls-verify': true }));
  });
  await t.test('in-cluster: the service account files under a root, the API server from host and port', async () => {
    const root = join(dir, 'pod');
    mkdirSync(join(root, serviceAccountDir), { recursive: true });
    writeFileSync(join(root, serviceAccountDir, 'ca.crt'), cluster.ca!);
    writeFileSync(join(root, serviceAccountDir, 'token'), cluster.adminToken!);
    const server = new URL(cluster.server);
    await canList({ inCluster: true, root, host: server.hostname, port: server.port });
  });
});
