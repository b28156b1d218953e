// The kubelet simulator: registers a Node and runs the pods kube-scheduler binds to it as local processes.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeApi } from '../api.js';
import { ImageStore, type ImageStoreDirs } from '../images/image-store.js';
import { EventRecorder } from './events.js';
import { builtinImages, type ImageRegistry } from './images.js';
import { removeAllContainers, type ImageRuntimeOptions } from './image-runtime.js';
import { IpPool } from './ip-pool.js';
import { startLogServer } from './log-server.js';
import { registerNode } from './node.js';
import { addRoutedPodNetwork, localRouteArgs, type RoutedPodNetwork } from './pod-network.js';
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
  /** Pod IPs are <prefix>.N (default: a random 127.x.y; with the image runtime a routed 10.x.y). */
  ipPrefix?: string;
  /**
   * Run containers from their images (an OCI layout) with runc when the store holds them; other images keep
   * running from the registry. Needs root (runc, a routed pod network).
   */
  imageStore?: ImageStoreDirs;
  /** Shell lines the cluster's reaper runs if this process is killed (runc containers and routes outlive it). */
  reaperCleanupFile?: string;
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
  let network: RoutedPodNetwork | undefined;
  let imageRuntime: ImageRuntimeOptions | undefined;
  if (options.imageStore) {
    const runcRoot = join(options.clusterDir, 'runc');
    network = options.ipPrefix ? undefined : await addRoutedPodNetwork();
    imageRuntime = { store: new ImageStore(options.imageStore), runcRoot };
    if (options.reaperCleanupFile) {
      const lines = [
        `for id in $(runc --root '${runcRoot}' list -q 2>/dev/null); do runc --root '${runcRoot}' delete --force "$id"; done`,
        ...(network ? [`ip ${localRouteArgs('del', network.prefix).join(' ')} 2>/dev/null`] : []),
      ];
      appendFileSync(options.reaperCleanupFile, `${lines.join('\n')}\n`);
    }
  }
  const ips = new IpPool(options.ipPrefix ?? network?.prefix);
  const ctx = {
    api,
    nodeName,
    hostIP: HOST_IP,
    clusterDir: options.clusterDir,
    pgidFile: options.pgidFile,
    apiserverPort: options.apiserverPort,
    ca: options.ca,
    images: { ...builtinImages(), ...options.images },
    imageRuntime,
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
      if (imageRuntime) await removeAllContainers(imageRuntime.runcRoot);
      await network?.remove();
      await logServer.close();
    },
  };
}
