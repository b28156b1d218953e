// The image runtime on a private cluster: a container runs from its image under runc as the pod spec says.
// Needs root, runc, umoci and the `app` image in the local store (`npm run images`; CI builds it first).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { KubeApi } from '../api.js';
import type { ClusterHandle } from '../handle.js';
import { defaultImageStoreDirs, type ImageStoreDirs } from '../images/image-store.js';
import { findLayoutImage } from '../images/oci-layout.js';
import { startPrivateCluster } from '../test-cluster.js';
import { waitFor } from '../wait.js';
import type { Pod } from './types.js';

const run = promisify(execFile);
const store = defaultImageStoreDirs();
const missing = async (): Promise<string | undefined> => {
  if (process.getuid?.() !== 0) return 'needs root (runc)';
  for (const tool of ['runc', 'umoci', 'ip'])
    if (
      !(await run('which', [tool]).then(
        () => true,
        () => false,
      ))
    )
      return `needs ${tool}`;
  if (!findLayoutImage(store.layoutDir, 'app:latest')) return 'needs the app image in the local store (npm run images)';
  return undefined;
};

let reason: string | undefined;
let cluster: ClusterHandle | undefined;
let api: KubeApi;
let layoutCopy: string | undefined;
const ns = 'image-runtime';

before(async () => {
  reason = await missing();
  if (reason) return;
  // A copy of the store's layout (hard links) with one more image: `app` re-tagged to run as root.
  layoutCopy = mkdtempSync(join(tmpdir(), 'capstan-layout-'));
  await run('cp', ['-al', `${store.layoutDir}/.`, layoutCopy]);
  await run('umoci', ['config', '--image', `${layoutCopy}:app:latest`, '--tag', 'root-app:latest', '--config.user', '0']);
  const dirs: ImageStoreDirs = { layoutDir: layoutCopy, unpackDir: store.unpackDir };
  cluster = await startPrivateCluster({ imageRuntime: dirs });
  api = new KubeApi({ server: cluster.server, token: cluster.adminToken ?? '', ca: cluster.ca ?? '' });
  await api.post('/api/v1/namespaces', { metadata: { name: ns } });
  await api.post(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'files' }, stringData: { 'greeting.txt': 'hello' } });
});
after(async () => {
  api?.close();
  await cluster?.stop();
  if (layoutCopy) rmSync(layoutCopy, { recursive: true, force: true });
});

const restricted = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

// What the process finds out about itself, as JSON on stdout: the image's node, no shell needed.
const probeScript = `
const fs = require('fs');
const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'written'; } catch (e) { return e.code; } };
const status = fs.readFileSync('/proc/self/status', 'utf8');
const field = (name) => (status.match(new RegExp('^' + name + ':\\\\s*(.*)$', 'm')) || [])[1];
console.log(JSON.stringify({
  uid: process.getuid(), gid: process.getgid(), capEff: field('CapEff'), capBnd: field('CapBnd'), noNewPrivs: field('NoNewPrivs'),
  writeRoot: tryWrite('/probe'), writeSecret: tryWrite('/etc/files/new'), writeScratch: tryWrite('/scratch/new'),
  secret: fs.readFileSync('/etc/files/greeting.txt', 'utf8'), token: fs.existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token'),
  pid1: fs.readlinkSync('/proc/1/exe'),
}));`;

const getPod = (name: string) => api.get<Pod>(`/api/v1/namespaces/${ns}/pods/${name}`);

/** The pod once it Succeeded or Failed, and the last JSON line its container printed. */
async function finished(name: string): Promise<{ pod: Pod; seen: Record<string, unknown>; log: string }> {
  const pod = await waitFor(
    async () => {
      const p = await getPod(name);
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    },
    { timeoutMs: 120_000, what: `pod ${name} to finish` },
  );
  const log = (await run('cat', [cluster!.podLogPath(ns, name, 'probe')])).stdout;
  return { pod, log, seen: JSON.parse(log.trim().split('\n').pop() ?? '{}') as Record<string, unknown> };
}

describe('image runtime (runc)', () => {
  test('the image runs as uid 65532 on a read-only root with no capabilities; volumes mounted as the spec says', async (t) => {
    if (reason) return t.skip(reason);
    await api.post(`/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'restricted' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'probe',
            image: 'registry.example/app:latest',
            command: ['/nodejs/bin/node', '-e', probeScript],
            securityContext: restricted,
            volumeMounts: [
              { name: 'files', mountPath: '/etc/files' },
              { name: 'scratch', mountPath: '/scratch' },
            ],
          },
        ],
        volumes: [
          { name: 'files', secret: { secretName: 'files' } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    });
    const { pod: done, seen, log } = await finished('restricted');
    const status = done.status?.containerStatuses?.[0];
    assert.equal(done.status?.phase, 'Succeeded', log);
    assert.match(status?.imageID ?? '', /^app@sha256:[a-f0-9]{64}$/, 'the imageID is the digest of the image that ran');
    assert.deepEqual(
      { ...seen },
      {
        uid: 65532, // the image's USER
        gid: 65532,
        capEff: '0000000000000000',
        capBnd: '0000000000000000',
        noNewPrivs: '1',
        writeRoot: 'EROFS',
        writeSecret: 'EROFS', // Secret volumes are read-only whatever the mount says
        writeScratch: 'written',
        secret: 'hello',
        token: true,
        pid1: '/nodejs/bin/node', // its own pid namespace: the container's process is pid 1
      },
    );
  });

  test('a container that does not drop capabilities gets the runtime default set, and runAsUser overrides the image', async (t) => {
    if (reason) return t.skip(reason);
    await api.post(`/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'defaults' },
      spec: {
        restartPolicy: 'Never',
        securityContext: { runAsUser: 1234, runAsGroup: 4321 },
        containers: [
          {
            name: 'probe',
            image: 'app',
            command: ['/nodejs/bin/node', '-e', probeScript.replace("'/etc/files/greeting.txt'", "'/etc/passwd'")],
          },
        ],
      },
    });
    const { pod: done, seen: raw, log } = await finished('defaults');
    const seen = raw as Record<string, string | number>;
    assert.equal(done.status?.phase, 'Succeeded', log);
    assert.equal(seen.uid, 1234);
    assert.equal(seen.gid, 4321);
    assert.equal(seen.writeRoot, 'EACCES', 'a writable root (an overlay), but / belongs to root');
    // Docker's and containerd's default set: 14 capabilities in the bounding set, none effective for a non-root uid.
    assert.equal(BigInt(`0x${seen.capBnd}`).toString(2).replace(/0/g, '').length, 14);
    assert.equal(seen.capEff, '0000000000000000');
  });

  test('a container over its memory limit is killed by the kernel and reported OOMKilled (137), as a kubelet does', async (t) => {
    if (reason) return t.skip(reason);
    const hog = 'const keep = []; for (;;) keep.push(Buffer.alloc(8 << 20, 1));';
    await api.post(`/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'hog' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'probe',
            image: 'app',
            command: ['/nodejs/bin/node', '-e', hog],
            resources: { limits: { memory: '64Mi' } },
            securityContext: restricted,
          },
        ],
      },
    });
    const pod = await waitFor(
      async () => {
        const p = await getPod('hog');
        return p.status?.phase === 'Failed' ? p : undefined;
      },
      { timeoutMs: 120_000, what: 'the memory hog to be killed' },
    );
    const state = pod.status?.containerStatuses?.[0]?.state;
    assert.ok(state && 'terminated' in state, JSON.stringify(state));
    assert.equal(state.terminated.reason, 'OOMKilled');
    assert.equal(state.terminated.exitCode, 137);
  });

  test('runAsNonRoot with an image that runs as root fails as on a real kubelet: CreateContainerConfigError', async (t) => {
    if (reason) return t.skip(reason);
    const created = await api.post<Pod>(`/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'root-image' },
      spec: { containers: [{ name: 'app', image: 'root-app:latest', securityContext: { runAsNonRoot: true } }] },
    });
    const waiting = await waitFor(
      async () => {
        const state = (await getPod('root-image')).status?.containerStatuses?.[0]?.state;
        return state && 'waiting' in state && state.waiting.reason === 'CreateContainerConfigError' ? state.waiting : undefined;
      },
      { timeoutMs: 120_000, what: 'the container to be refused' },
    );
    assert.equal(
      waiting.message,
      `container has runAsNonRoot and image will run as root (pod: "root-image_${ns}(${created.metadata.uid})", container: app)`,
    );
    const events = await api.get<{ items: { reason: string; message: string }[] }>(
      `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent('involvedObject.name=root-image')}`,
    );
    assert.ok(events.items.some((e) => e.reason === 'Failed' && e.message === `Error: ${waiting.message}`));
    // Nothing ran: runc has no container of that pod.
    const runcRoot = join(cluster!.dir ?? '', 'runc');
    const ids = existsSync(runcRoot) ? (await run('runc', ['--root', runcRoot, 'list', '-q'])).stdout : '';
    assert.ok(!ids.includes(created.metadata.uid!.slice(0, 13)), ids);
  });
});
