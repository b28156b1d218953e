// startLocalCluster(): etcd + kube-apiserver + kube-controller-manager + kube-scheduler + the kubelet simulator, torn down by stop().
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiserver, type Apiserver } from './apiserver.js';
import { generateServiceAccountKeys, randomToken } from './certificates.js';
import { writeClusterInfo, type ClusterInfo } from './cluster-file.js';
import { startControllerManager } from './controller-manager.js';
import { StartupError } from './errors.js';
import { startEtcd, type Etcd } from './etcd.js';
import { LocalClusterHandle } from './handle.js';
import { defaultImageStoreDirs, type ImageStoreDirs } from './images/image-store.js';
import type { ImageRegistry } from './kubelet/images.js';
import type { Kubelet } from './kubelet/kubelet.js';
import { renderKubeconfig } from './kubeconfig.js';
import { freePort } from './ports.js';
import { livePgids, startReaper, type ManagedProcess } from './processes.js';
import { resolveBinaries, type BinaryEnv } from './provisioning.js';
import { logTail } from './readiness.js';
import { startScheduler } from './scheduler.js';
import { startTokenWebhook, type TokenWebhook } from './token-webhook.js';

/** Options of `startLocalCluster`: Kubernetes version, binaries and data directories, the kubelet simulator and its images, logging, timeout. */
export interface LocalClusterOptions {
  /** Progress lines (including the one-time build of the binaries). */
  log?: (line: string) => void;
  /** Kubernetes version: a supported minor ("1.35") or release ("1.37.2"); default the newest supported. Built on first use. */
  kubernetesVersion?: string;
  /** Directory with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl (default: the per-user cache). */
  binDir?: string;
  /** CAPSTAN_KUBE_APISERVER, CAPSTAN_KUBE_CONTROLLER_MANAGER, CAPSTAN_KUBE_SCHEDULER, CAPSTAN_KUBECTL, CAPSTAN_ETCD, CAPSTAN_CACHE_DIR (default: process.env). */
  env?: BinaryEnv;
  /** Image registry additions for the kubelet simulator (image name -> command). */
  images?: ImageRegistry;
  /**
   * The kubelet simulator's image runtime: containers whose image is in the local image store (an OCI layout,
   * `capstan-localcluster images build`) run from it with runc, as non-root on a read-only root where the pod
   * spec says so; `true` uses the per-user store. Needs root. Default: every container runs from source.
   */
  imageRuntime?: boolean | ImageStoreDirs;
  /** Run the kubelet simulator (default true). */
  kubelet?: boolean;
  /** State directory (default: a fresh temp dir, removed by stop()). An explicit one is kept unless `removeDataDir`. */
  dataDir?: string;
  /** Remove the state directory on stop(). Default: only when it is a fresh temp dir. */
  removeDataDir?: boolean;
  /** Name used in the kubeconfig (default "capstan-local"). */
  name?: string;
  /** Per-process start-up timeout (default 60 s: the machines are slow and noisy). */
  timeoutMs?: number;
}

/** A running local control plane started by this process (`startLocalCluster`): stop it with `stop()`. */
export class LocalCluster extends LocalClusterHandle {}

/** Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and (optionally) the kubelet simulator; resolves when the API server is ready. */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const binaries = await resolveBinaries({
    kubernetesVersion: options.kubernetesVersion,
    binDir: options.binDir,
    env: options.env ?? process.env,
    log,
  });
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'capstan-cluster-'));
  const removeDir = options.removeDataDir ?? !options.dataDir;
  mkdirSync(dir, { recursive: true });
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const pgidFile = join(dir, 'pgids');
  writeFileSync(pgidFile, '');
  const cleanupFile = join(dir, 'reaper-cleanup.sh');
  const reaper = startReaper({ watchPid: process.pid, pgidFile, cleanupFile, paths: removeDir ? [dir] : [] });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const name = options.name ?? 'capstan-local';

  const processes: ManagedProcess[] = [];
  let webhook: TokenWebhook | undefined;
  let kubelet: Kubelet | undefined;
  let stopped = false;
  const teardown = async () => {
    if (stopped) return;
    stopped = true;
    await kubelet?.stop().catch(() => {});
    // Reverse start order: controllers first, etcd last, so nothing logs about a vanished backend.
    for (const p of [...processes].reverse()) await p.stop(5000);
    // Anything else recorded for this cluster (e.g. an apiserver restarted by fault injection) goes too.
    for (const pgid of livePgids(pgidFile)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await webhook?.close();
    reaper.dismiss();
    if (removeDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const keys = generateServiceAccountKeys();
    const files = {
      serviceAccountKey: join(dir, 'sa.key'),
      serviceAccountPublicKey: join(dir, 'sa.pub'),
      tokenFile: join(dir, 'tokens.csv'),
      webhookKubeconfig: join(dir, 'token-webhook.kubeconfig'),
    };
    writeFileSync(files.serviceAccountKey, keys.privateKeyPem, { mode: 0o600 });
    writeFileSync(files.serviceAccountPublicKey, keys.publicKeyPem);
    const adminToken = randomToken();
    const tokenSecret = randomToken(32);
    writeFileSync(files.tokenFile, `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
    webhook = await startTokenWebhook({ secret: tokenSecret, port: await freePort() });
    writeFileSync(files.webhookKubeconfig, webhookKubeconfig(webhook.url), { mode: 0o600 });

    const etcd: Etcd = await startEtcd({ binary: binaries.etcd, dir, logDir, pgidFile, timeoutMs });
    processes.push(etcd.process);
    // The apiserver starts alongside etcd (it retries its connection): its own start-up is the long pole.
    const apiserverStarting = startApiserver({
      binary: binaries.apiserver,
      dir,
      logDir,
      pgidFile,
      etcdUrl: etcd.url,
      files,
      adminToken,
      timeoutMs,
      onSpawn: (p) => processes.push(p),
    });
    apiserverStarting.catch(() => {}); // awaited below, after etcd
    await etcd.ready;
    log(`etcd ready at ${etcd.url} (${Date.now() - started} ms)`);
    const apiserver: Apiserver = await apiserverStarting;
    log(`kube-apiserver v${binaries.kubernetesVersion} ready at ${apiserver.server} (${Date.now() - started} ms)`);

    const kubeconfigPath = join(dir, 'kubeconfig.yaml');
    const kubeconfig = renderKubeconfig({ server: apiserver.server, ca: apiserver.ca, token: adminToken, name });
    writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
    const controllers = [
      startControllerManager({
        binary: binaries.controllerManager,
        logDir,
        pgidFile,
        kubeconfigPath,
        serviceAccountKey: files.serviceAccountKey,
        caFile: apiserver.caFile,
      }),
      startScheduler({ binary: binaries.scheduler, logDir, pgidFile, kubeconfigPath }),
    ];
    processes.push(...controllers);

    const info: ClusterInfo = {
      version: 1,
      name,
      server: apiserver.server,
      ca: apiserver.ca,
      adminToken,
      tokenSecret,
      dir,
      kubeconfigPath,
      simulatedKubelet: options.kubelet ?? true,
      imageRuntime: (options.kubelet ?? true) && !!options.imageRuntime,
      nodeName: 'capstan-node',
      pid: process.pid,
      kubernetesVersion: binaries.kubernetesVersion,
      kubectl: binaries.kubectl,
    };
    const cluster = new LocalCluster(info, kubeconfig, teardown);
    if (info.simulatedKubelet) {
      const { startKubelet } = await import('./kubelet/kubelet.js');
      kubelet = await startKubelet({
        api: cluster.adminApi(),
        clusterDir: dir,
        nodeName: info.nodeName,
        pgidFile,
        log,
        apiserverPort: apiserver.port,
        ca: apiserver.ca,
        images: options.images ?? {},
        ...(options.imageRuntime
          ? { imageStore: options.imageRuntime === true ? defaultImageStoreDirs(options.env ?? process.env) : options.imageRuntime }
          : {}),
        reaperCleanupFile: cleanupFile,
        kubernetesVersion: binaries.kubernetesVersion,
        servingCert: readFileSync(apiserver.caFile, 'utf8'),
        servingKey: readFileSync(join(dir, 'serving-certs', 'apiserver.key'), 'utf8'),
      });
    }
    // Not waited for, but a flag a version refuses kills them at once: fail the start-up rather than hand out a
    // cluster without garbage collection or scheduling.
    for (const p of controllers) {
      if (p.hasExited())
        throw new StartupError(
          `${p.name} exited during start-up; log ${join(logDir, `${p.name}.log`)}:\n${logTail(join(logDir, `${p.name}.log`))}`,
        );
    }
    writeClusterInfo(info);
    log(`local cluster ready in ${Date.now() - started} ms; kubeconfig ${kubeconfigPath}`);
    return cluster;
  } catch (err) {
    await teardown();
    throw err;
  }
}

function webhookKubeconfig(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: capstan-token-webhook',
    '  cluster:',
    `    server: ${JSON.stringify(url)}`,
    'users:',
    '- name: kube-apiserver',
    '  user: {}',
    'contexts:',
    '- name: webhook',
    '  context: { cluster: capstan-token-webhook, user: kube-apiserver }',
    'current-context: webhook',
    '',
  ].join('\n');
}
