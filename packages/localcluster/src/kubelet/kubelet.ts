// The kubelet simulator: registers a Node, binds unscheduled pods to it (no scheduler runs) and runs them as local processes.
import type { KubeApi } from '../api.js';
import { KubeApiError } from '../errors.js';
import { EventRecorder } from './events.js';
import { builtinImages, type ImageRegistry } from './images.js';
import { IpPool } from './ip-pool.js';
import { startLogServer } from './log-server.js';
import { registerNode } from './node.js';
import { PodWorker } from './pod-worker.js';
import type { Pod } from './types.js';

export interface KubeletOptions {
  api: KubeApi;
  clusterDir: string;
  nodeName: string;
  pgidFile: string;
  apiserverPort: number;
  ca: string;
  /** Additions to (or overrides of) the built-in image registry. */
  images: ImageRegistry;
  log: (line: string) => void;
  /** PEM key pair for the kubelet endpoint (`kubectl logs`); any pair works, the apiserver's is reused. */
  servingCert: string;
  servingKey: string;
  /** Pod IPs are <prefix>.N (default: a random 127.x.y). */
  ipPrefix?: string;
}

export interface Kubelet {
  readonly ipPrefix: string;
  stop(): Promise<void>;
}

const HOST_IP = '127.0.0.1';

export async function startKubelet(options: KubeletOptions): Promise<Kubelet> {
  const { api, nodeName, log } = options;
  const logServer = await startLogServer({ clusterDir: options.clusterDir, cert: options.servingCert, key: options.servingKey });
  const heartbeat = await registerNode({ api, nodeName, hostIP: HOST_IP, kubeletPort: logServer.port, log });
  const ips = new IpPool(options.ipPrefix);
  const ctx = {
    api, nodeName, hostIP: HOST_IP, clusterDir: options.clusterDir, pgidFile: options.pgidFile,
    apiserverPort: options.apiserverPort, ca: options.ca, images: { ...builtinImages(), ...options.images },
    ips, events: new EventRecorder(api, nodeName, log), log,
  };
  const workers = new Map<string, PodWorker>();
  const binding = new Set<string>();
  const abort = new AbortController();

  const bind = async (pod: Pod) => {
    const uid = pod.metadata.uid ?? '';
    if (binding.has(uid)) return;
    binding.add(uid);
    const ns = pod.metadata.namespace ?? 'default';
    try {
      await api.post(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/binding`, {
        apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    } catch (err) {
      binding.delete(uid);
      if (!(err instanceof KubeApiError && (err.status === 404 || err.status === 409))) log(`kubelet: binding ${ns}/${pod.metadata.name}: ${(err as Error).message}`);
    }
  };

  const handle = (type: string, pod: Pod) => {
    const uid = pod.metadata.uid ?? '';
    if (type === 'DELETED') {
      binding.delete(uid);
      const worker = workers.get(uid);
      workers.delete(uid);
      void worker?.removed();
      return;
    }
    if (!pod.spec.nodeName) {
      if (!pod.metadata.deletionTimestamp) void bind(pod);
      return;
    }
    if (pod.spec.nodeName !== nodeName) return;
    let worker = workers.get(uid);
    if (!worker) {
      worker = new PodWorker(ctx, pod);
      workers.set(uid, worker);
    }
    worker.update(pod);
  };

  const list = async (): Promise<string> => {
    const pods = await api.get<{ metadata: { resourceVersion: string }; items: Pod[] }>('/api/v1/pods');
    const present = new Set(pods.items.map((p) => p.metadata.uid ?? ''));
    for (const [uid, worker] of workers) {
      if (!present.has(uid)) {
        workers.delete(uid);
        void worker.removed();
      }
    }
    for (const pod of pods.items) handle('MODIFIED', pod);
    return pods.metadata.resourceVersion;
  };

  let resourceVersion = await list();
  const watchLoop = async () => {
    while (!abort.signal.aborted) {
      try {
        const path = `/api/v1/pods?allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${resourceVersion}`;
        for await (const event of api.watch<Pod & { code?: number }>(path, abort.signal)) {
          if (event.type === 'ERROR') {
            if (event.object.code === 410) resourceVersion = await list();
            break;
          }
          if (event.object.metadata?.resourceVersion) resourceVersion = event.object.metadata.resourceVersion;
          if (event.type !== 'BOOKMARK') handle(event.type, event.object);
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        log(`kubelet: pod watch: ${(err as Error).message}; re-listing`);
        await new Promise((r) => setTimeout(r, 500));
        resourceVersion = await list().catch(() => resourceVersion);
      }
    }
  };
  const watching = watchLoop();

  return {
    ipPrefix: ips.prefix,
    async stop() {
      abort.abort();
      heartbeat.stop();
      await watching.catch(() => {});
      await Promise.all([...workers.values()].map((w) => w.shutdown()));
      workers.clear();
      await logServer.close();
    },
  };
}
