// Unit tests of container environment resolution and $(VAR) expansion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerConfigError, containerEnv, expandVars, podField } from './env.js';
import type { DataObject, Pod } from './types.js';

const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'team', uid: 'u1', labels: { app: 'web' } },
  spec: { containers: [], serviceAccountName: 'robot' },
};
const objects: Record<string, DataObject> = {
  'Secret/creds': { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } },
  'ConfigMap/cfg': { metadata: { name: 'cfg' }, data: { mode: 'fast', level: '3' } },
};
const sources = { get: async (kind: string, name: string) => objects[`${kind}/${name}`], podIP: '127.9.9.2', hostIP: '127.0.0.1' };

test('expandVars follows kubelet rules', () => {
  assert.equal(expandVars('$(A)-$(B)-$$(A)-$(MISSING)', { A: '1', B: '2' }), '1-2-$(A)-$(MISSING)');
});

test('podField covers the common downward API fields', () => {
  const ips = { podIP: '127.9.9.2', hostIP: '127.0.0.1' };
  assert.equal(podField(pod, 'metadata.name', ips), 'web-1');
  assert.equal(podField(pod, 'metadata.namespace', ips), 'team');
  assert.equal(podField(pod, "metadata.labels['app']", ips), 'web');
  assert.equal(podField(pod, 'status.podIP', ips), '127.9.9.2');
  assert.equal(podField(pod, 'spec.serviceAccountName', ips), 'robot');
  assert.equal(podField(pod, 'spec.unknown', ips), undefined);
});

test('env, envFrom and valueFrom resolve in order', async () => {
  const env = await containerEnv(
    pod,
    {
      name: 'c',
      image: 'x',
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
      env: [
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'URL', value: 'http://$(ME):$(CFG_level)' },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'absent', key: 'k', optional: true } } },
      ],
    },
    sources,
  );
  assert.deepEqual(env, { CFG_mode: 'fast', CFG_level: '3', PASSWORD: 's3cret', ME: 'web-1', URL: 'http://web-1:3' });
});

test('a missing required key is a ContainerConfigError naming it', async () => {
  await assert.rejects(
    containerEnv(
      pod,
      { name: 'c', image: 'x', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } }] },
      sources,
    ),
    (err: unknown) => err instanceof ContainerConfigError && /nope/.test(err.message) && !/s3cret/.test(err.message),
  );
  await assert.rejects(
    containerEnv(pod, { name: 'c', image: 'x', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }] }, sources),
    /configmap "gone" not found/,
  );
});
