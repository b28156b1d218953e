// The kubelet simulator: registers a Node and runs the pods kube-scheduler binds to it as local processes.
import type { KubeApi } from '../api.js';
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
  /** The control plane's version, reported as the Node's kubelet version. */
  kubernetesVersion: string;
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
  const heartbeat = await registerNode({
    api,
    nodeName,
    hostIP: HOST_IP,
    kubeletPort: logServer.port,
    kubernetesVersion: options.kubernetesVersion,
    log,
  });
  const ips = new IpPool(options.ipPrefix);
  const ctx = {
    api,
    nodeName,
    hostIP: HOST_IP,
    clusterDir: options.clusterDir,
    pgidFile: options.pgidFile,
    apiserverPort: options.apiserverPort,
    ca: options.ca,
    images: { ...builtinImages(), ...options.images },
    ips,
    events: new EventRecorder(api, nodeName, log),
    log,
  };
  const workers = new Map<string, PodWorker>();
  const abort = new AbortController();

  const handle = (type: string, pod: Pod) => {
    const uid = pod.metadata.uid ?? '';
    if (type === 'DELETED') {
      const worker = workers.get(uid);
      workers.delete(uid);
      void worker?.removed();
      return;
    }
    // Unscheduled pods wait for kube-scheduler; pods of other nodes are not ours.
    if (pod.spec.nodeName !== nodeName) return;
    let worker = workers.get(uid);
    if (!worker) {
      worker = new PodWorker(ctx, pod);
      workers.set(uid, worker);
    }
    worker.update(pod);
  };

  // Like a real kubelet, it sees only the pods bound to its Node: a pod appears here once it is scheduled.
  const selector = `fieldSelector=${encodeURIComponent(`spec.nodeName=${nodeName}`)}`;
  const list = async (): Promise<string> => {
    const pods = await api.get<{ metadata: { resourceVersion: string }; items: Pod[] }>(`/api/v1/pods?${selector}`);
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
        const path = `/api/v1/pods?${selector}&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${resourceVersion}`;
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
