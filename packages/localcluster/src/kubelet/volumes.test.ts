// Unit tests of volume materialisation under a pod root (temp directories, no cluster).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { DataObject, Pod } from './types.js';
import { materialiseVolumes, MountError, underRoot } from './volumes.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-volumes-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const objects: Record<string, DataObject> = {
  'Secret/tls': {
    metadata: { name: 'tls' },
    data: { 'tls.key': Buffer.from('KEY').toString('base64'), 'tls.crt': Buffer.from('CRT').toString('base64') },
  },
  'ConfigMap/cfg': { metadata: { name: 'cfg' }, data: { 'app.yaml': 'a: 1' } },
};
const sources = {
  get: async (k: string, n: string) => objects[`${k}/${n}`],
  serviceAccountToken: async () => 'tok',
  podIP: '127.1.1.2',
  hostIP: '127.0.0.1',
};

test('underRoot keeps paths inside the root', () => {
  assert.equal(underRoot('/r', '/etc/x'), '/r/etc/x');
  assert.equal(underRoot('/r', '../../etc/passwd'), '/r/etc/passwd');
});

test('secret items, configMap subPath and downward API land under the pod root', async () => {
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'n', labels: { app: 'a' } },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'x',
          volumeMounts: [
            { name: 'tls', mountPath: '/etc/tls' },
            { name: 'cfg', mountPath: '/app/config.yaml', subPath: 'app.yaml' },
            { name: 'info', mountPath: '/etc/podinfo' },
          ],
        },
      ],
      volumes: [
        { name: 'tls', secret: { secretName: 'tls', items: [{ key: 'tls.key', path: 'private/key.pem' }] } },
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
      ],
    },
  };
  const root = join(dir, 'p1', 'root');
  const mounted = await materialiseVolumes({ pod, podDir: join(dir, 'p1'), root, sources });
  assert.equal(readFileSync(join(root, 'etc/tls/private/key.pem'), 'utf8'), 'KEY');
  assert.equal(readFileSync(join(root, 'app/config.yaml'), 'utf8'), 'a: 1');
  assert.equal(readFileSync(join(root, 'etc/podinfo/name'), 'utf8'), 'p');
  assert.deepEqual([...mounted].sort(), ['/app/config.yaml', '/etc/podinfo', '/etc/tls']);
});

test('a missing Secret is a MountError unless optional', async () => {
  const pod = (optional: boolean): Pod => ({
    metadata: { name: 'p', namespace: 'n' },
    spec: {
      containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 's', mountPath: '/s' }] }],
      volumes: [{ name: 's', secret: { secretName: 'absent', optional } }],
    },
  });
  await assert.rejects(
    materialiseVolumes({ pod: pod(false), podDir: join(dir, 'p2'), root: join(dir, 'p2', 'root'), sources }),
    MountError,
  );
  await materialiseVolumes({ pod: pod(true), podDir: join(dir, 'p3'), root: join(dir, 'p3', 'root'), sources });
});
