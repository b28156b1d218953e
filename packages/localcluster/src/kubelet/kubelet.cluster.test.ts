// Kubelet-simulator tests on the test cluster: pods really run, get IPs, volumes, env, probes, restarts and readiness gates.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { KubeApi } from '../api.js';
import type { ClusterHandle } from '../handle.js';
import { useTestCluster } from '../test-cluster.js';
import { waitFor } from '../wait.js';
import type { Pod } from './types.js';
import { kubectlPath } from '../kubectl.js';

const run = promisify(execFile);
let cluster: ClusterHandle;
let api: KubeApi;
let ns: string;

before(async () => {
  cluster = await useTestCluster();
  api = new KubeApi({ server: cluster.server, token: cluster.adminToken ?? '', ca: cluster.ca ?? '' });
  ns = `kubelet-${randomBytes(3).toString('hex')}`;
  await api.post('/api/v1/namespaces', { metadata: { name: ns } });
});
after(async () => {
  await api?.delete(`/api/v1/namespaces/${ns}`).catch(() => {});
  api?.close();
});

const getText = (ip: string, port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = request({ host: ip, port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });

const pod = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });
const getPod = (name: string) => api.get<Pod>(`/api/v1/namespaces/${ns}/pods/${name}`);
const condition = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;

describe('kubelet simulator', () => {
  test('a Deployment gets Running pods with distinct IPs that answer HTTP', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(`/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'echo' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'echo' } },
        template: {
          metadata: { labels: { app: 'echo' } },
          spec: {
            containers: [
              {
                name: 'echo',
                image: 'docker.io/hashicorp/http-echo:1.0',
                args: ['-listen=:5678', '-text=hello from a pod'],
                readinessProbe: { httpGet: { path: '/', port: 5678 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    });
    const pods = await waitFor(
      async () => {
        const list = await api.get<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Decho`);
        const running = list.items.filter((p) => p.status?.phase === 'Running' && condition(p, 'Ready') === 'True');
        return running.length === 2 ? running : undefined;
      },
      { timeoutMs: 90_000, what: '2 ready echo pods' },
    );
    const ips = pods.map((p) => p.status?.podIP ?? '');
    assert.equal(new Set(ips).size, 2, `distinct pod IPs: ${ips.join(', ')}`);
    for (const ip of ips) {
      assert.match(ip, /^127\./);
      assert.equal(await getText(ip, 5678), 'hello from a pod\n');
    }
  });

  test('Secret/ConfigMap volumes, env valueFrom and in-cluster files reach the process', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'creds' }, stringData: { password: 'swordfish' } });
    await api.post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'cfg' }, data: { 'app.conf': 'mode=test', greeting: 'hi' } });
    const script = [
      'cat "$CAPSTAN_POD_ROOT/etc/creds/password"; echo',
      'cat "$CAPSTAN_POD_ROOT/etc/app.conf"; echo',
      'echo "env=$GREETING pod=$MY_POD ip=$POD_IP host=$HOST"',
      'cat "$CAPSTAN_POD_ROOT/var/run/secrets/kubernetes.io/serviceaccount/namespace"; echo',
      'test -s "$CAPSTAN_POD_ROOT/var/run/secrets/kubernetes.io/serviceaccount/token" && echo token-ok',
      'echo "api=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
      'sleep 3600',
    ].join('; ');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('files', {
        containers: [
          {
            name: 'main',
            image: 'busybox:1.36',
            command: ['sh', '-c', script],
            env: [
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
              { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            volumeMounts: [
              { name: 'creds', mountPath: '/etc/creds', readOnly: true },
              { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
            ],
          },
        ],
        volumes: [
          { name: 'creds', secret: { secretName: 'creds' } },
          { name: 'cfg', configMap: { name: 'cfg' } },
        ],
      }),
    );
    const running = await waitFor(async () => ((await getPod('files')).status?.phase === 'Running' ? getPod('files') : undefined), {
      timeoutMs: 60_000,
      what: 'pod running',
    });
    const logPath = cluster.podLogPath(ns, 'files', 'main');
    const log = await waitFor(
      () => {
        const text = readFileSync(logPath, 'utf8');
        return text.includes('api=') ? text : undefined;
      },
      { timeoutMs: 30_000, what: 'container output' },
    );
    const port = new URL(cluster.server).port;
    assert.deepEqual(log.trim().split('\n'), [
      'swordfish',
      'mode=test',
      `env=hi pod=files ip=${running.status?.podIP} host=${running.status?.podIP}`,
      ns,
      'token-ok',
      `api=127.0.0.1:${port}`,
    ]);
  });

  test('a Secret update reaches the mounted file of a running pod', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'rotating' }, stringData: { value: 'one', old: 'x' } });
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('reader', {
        containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 's', mountPath: '/etc/s' }] }],
        volumes: [{ name: 's', secret: { secretName: 'rotating' } }],
      }),
    );
    await waitFor(async () => (await getPod('reader')).status?.phase === 'Running', { timeoutMs: 60_000, what: 'running' });
    const root = cluster.podRootPath(ns, 'reader', (await getPod('reader')).metadata.uid ?? '');
    const file = join(root, 'etc', 's', 'value');
    assert.equal(readFileSync(file, 'utf8'), 'one');
    await api.patch(
      `/api/v1/namespaces/${ns}/secrets/rotating`,
      { data: { value: Buffer.from('two').toString('base64'), old: null } },
      'merge',
    );
    await waitFor(() => readFileSync(file, 'utf8') === 'two', { timeoutMs: 30_000, what: 'updated file' });
    assert.equal(existsSync(join(root, 'etc', 's', 'old')), false, 'a removed key disappears');
  });

  test('a pod runs with the in-cluster config of its ServiceAccount', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    const fixture = fileURLToPath(new URL('../../fixtures/in-cluster-list-pods.mjs', import.meta.url));
    cluster.registerImage('in-cluster-list-pods', { command: [process.execPath, fixture] });
    await api.post(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'lister' } });
    await api.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      metadata: { name: 'list-pods' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    });
    await api.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      metadata: { name: 'list-pods' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'list-pods' },
      subjects: [{ kind: 'ServiceAccount', name: 'lister', namespace: ns }],
    });
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('lister', {
        serviceAccountName: 'lister',
        containers: [{ name: 'main', image: 'example.com/in-cluster-list-pods:1' }],
      }),
    );
    const log = await waitFor(
      () => {
        try {
          const text = readFileSync(cluster.podLogPath(ns, 'lister', 'main'), 'utf8');
          return /listed|failed/.test(text) ? text : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, what: 'the in-cluster client ran' },
    );
    assert.match(log, new RegExp(`listed \\d+ pods in ${ns}`));
  });

  test("kubectl logs reads a container's output through the apiserver", async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('logger', { containers: [{ name: 'main', image: 'busybox', args: ['sh', '-c', 'echo first; echo second; sleep 3600'] }] }),
    );
    const out = await waitFor(
      async () => {
        const { stdout } = await run(kubectlPath(cluster.kubeconfigPath), [
          '--kubeconfig',
          cluster.kubeconfigPath,
          '-n',
          ns,
          'logs',
          'logger',
          '--tail=1',
        ]);
        return stdout.includes('second') ? stdout : undefined;
      },
      { timeoutMs: 60_000, what: 'kubectl logs' },
    );
    assert.equal(out, 'second\n');
  });

  test('a pod is not Ready until its readiness gate condition is True', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    const gate = 'example.com/handshake-done';
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('gated', {
        readinessGates: [{ conditionType: gate }],
        containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }],
      }),
    );
    const running = await waitFor(
      async () => {
        const p = await getPod('gated');
        return condition(p, 'ContainersReady') === 'True' ? p : undefined;
      },
      { timeoutMs: 60_000, what: 'containers ready' },
    );
    assert.equal(condition(running, 'Ready'), 'False');
    assert.equal(running.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'ReadinessGatesNotReady');
    const patchGate = (status: 'True' | 'False') =>
      api.patch(
        `/api/v1/namespaces/${ns}/pods/gated/status`,
        {
          status: { conditions: [{ type: gate, status, lastTransitionTime: new Date().toISOString() }] },
        },
        'strategic',
      );
    await patchGate('False');
    await waitFor(async () => condition(await getPod('gated'), gate) === 'False', { timeoutMs: 10_000, what: 'gate False' });
    assert.equal(condition(await getPod('gated'), 'Ready'), 'False');
    await patchGate('True');
    const ready = await waitFor(
      async () => {
        const p = await getPod('gated');
        return condition(p, 'Ready') === 'True' ? p : undefined;
      },
      { timeoutMs: 30_000, what: 'Ready after the gate' },
    );
    assert.equal(condition(ready, gate), 'True', 'the gate condition set by another writer is kept');
  });

  test('an unknown image keeps the pod Pending with a reason and an Event', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('unknown', { containers: [{ name: 'main', image: 'registry.example.com/team/nonexistent:9' }] }),
    );
    const p = await waitFor(
      async () => {
        const got = await getPod('unknown');
        const state = got.status?.containerStatuses?.[0]?.state;
        return state && 'waiting' in state && state.waiting.reason === 'ErrImagePull' ? got : undefined;
      },
      { timeoutMs: 30_000, what: 'ErrImagePull' },
    );
    assert.equal(p.status?.phase, 'Pending');
    const state = p.status?.containerStatuses?.[0]?.state;
    assert.ok(state && 'waiting' in state && state.waiting.message?.includes('registry.example.com/team/nonexistent:9'));
    const events = await waitFor(
      async () => {
        const list = await api.get<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>(
          `/api/v1/namespaces/${ns}/events`,
        );
        const mine = list.items.filter((e) => e.involvedObject.name === 'unknown' && e.reason === 'Failed');
        return mine.length ? mine : undefined;
      },
      { timeoutMs: 30_000, what: 'a Failed event' },
    );
    assert.match(events[0]!.message, /nonexistent/);
  });

  test('an image registered later by another process starts the pending pod', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    const image = `late-${randomBytes(3).toString('hex')}`;
    await api.post(`/api/v1/namespaces/${ns}/pods`, pod('late', { containers: [{ name: 'main', image: `example.com/${image}:1` }] }));
    await waitFor(
      async () => {
        const state = (await getPod('late')).status?.containerStatuses?.[0]?.state;
        return state && 'waiting' in state && state.waiting.reason === 'ErrImagePull';
      },
      { timeoutMs: 30_000, what: 'ErrImagePull' },
    );
    cluster.registerImage(image, { command: ['/bin/sleep', '3600'] });
    await waitFor(async () => (await getPod('late')).status?.phase === 'Running', {
      timeoutMs: 30_000,
      what: 'Running after registration',
    });
  });

  test('a container that exits is restarted and restartCount grows', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('crasher', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 3'] }] }),
    );
    const p = await waitFor(
      async () => {
        const got = await getPod('crasher');
        return (got.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? got : undefined;
      },
      { timeoutMs: 60_000, what: 'two restarts' },
    );
    const last = p.status?.containerStatuses?.[0]?.lastState;
    assert.ok(last && 'terminated' in last && last.terminated.exitCode === 3);
  });

  test('killing a container process by the pid in its containerID restarts it', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('victim', { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] }),
    );
    const first = await waitFor(async () => (await getPod('victim')).status?.containerStatuses?.[0]?.containerID, {
      timeoutMs: 60_000,
      what: 'containerID',
    });
    const pid = Number(/^capstan:\/\/(\d+)$/.exec(first)?.[1]);
    assert.ok(pid > 0, first);
    process.kill(pid, 'SIGKILL');
    const restarted = await waitFor(
      async () => {
        const status = (await getPod('victim')).status?.containerStatuses?.[0];
        return status && status.restartCount >= 1 && 'running' in status.state ? status : undefined;
      },
      { timeoutMs: 60_000, what: 'restarted' },
    );
    assert.notEqual(restarted.containerID, first);
    assert.ok('terminated' in restarted.lastState && restarted.lastState.terminated.exitCode === 137);
  });

  test('a failing liveness probe restarts the container', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('unlive', {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sleep', '3600'],
            livenessProbe: { tcpSocket: { port: 1 }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      }),
    );
    await waitFor(async () => ((await getPod('unlive')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, {
      timeoutMs: 60_000,
      what: 'a restart',
    });
  });

  test('init containers run to completion before the main containers', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('initialised', {
        initContainers: [
          {
            name: 'prepare',
            image: 'busybox',
            command: ['sh', '-c', 'echo prepared > "$CAPSTAN_POD_ROOT/work/state"'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c', 'cat "$CAPSTAN_POD_ROOT/work/state"; sleep 3600'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
        volumes: [{ name: 'work', emptyDir: {} }],
      }),
    );
    const p = await waitFor(
      async () => {
        const got = await getPod('initialised');
        return got.status?.phase === 'Running' ? got : undefined;
      },
      { timeoutMs: 60_000, what: 'running after init' },
    );
    assert.equal(condition(p, 'Initialized'), 'True');
    const init = p.status?.initContainerStatuses?.[0]?.state;
    assert.ok(init && 'terminated' in init && init.terminated.exitCode === 0);
    const log = await waitFor(() => readFileSync(cluster.podLogPath(ns, 'initialised', 'main'), 'utf8') || undefined, {
      timeoutMs: 30_000,
      what: 'main output',
    });
    assert.equal(log.trim(), 'prepared');
  });

  test('a failed init container with restartPolicy Never fails the pod', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('badinit', {
        restartPolicy: 'Never',
        initContainers: [{ name: 'prepare', image: 'busybox', command: ['sh', '-c', 'exit 7'] }],
        containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }],
      }),
    );
    const p = await waitFor(
      async () => {
        const got = await getPod('badinit');
        return got.status?.phase === 'Failed' ? got : undefined;
      },
      { timeoutMs: 60_000, what: 'pod Failed' },
    );
    const main = p.status?.containerStatuses?.[0];
    assert.equal(main?.restartCount, 0);
    assert.ok(main && 'waiting' in main.state, 'the main container never started');
  });

  test('deleting a pod stops its process and completes the deletion', async (t) => {
    if (!cluster.capabilities.simulatedKubelet) return t.skip('needs the simulated kubelet');
    await api.post(
      `/api/v1/namespaces/${ns}/pods`,
      pod('doomed', { containers: [{ name: 'main', image: 'http-echo', args: ['-listen=:8080', '-text=alive'] }] }),
    );
    const running = await waitFor(
      async () => {
        const p = await getPod('doomed');
        return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
      },
      { timeoutMs: 60_000, what: 'running' },
    );
    const ip = running.status!.podIP!;
    assert.equal(await waitFor(() => getText(ip, 8080), { timeoutMs: 30_000, what: 'answer' }), 'alive\n');
    await api.delete(`/api/v1/namespaces/${ns}/pods/doomed`);
    await waitFor(async () => (await api.find(`/api/v1/namespaces/${ns}/pods/doomed`)) === undefined, {
      timeoutMs: 60_000,
      what: 'pod gone',
    });
    await assert.rejects(getText(ip, 8080));
  });
});
