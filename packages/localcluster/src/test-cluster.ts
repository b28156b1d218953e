// useTestCluster(): the cluster a test file runs against: the shared one from the test runner, or a private one.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClusterInfo } from './cluster-file.js';
import { ExistingClusterHandle } from './existing-cluster.js';
import { LocalClusterHandle, type ClusterHandle } from './handle.js';
import type { ImageStoreDirs } from './images/image-store.js';
import type { ImageRegistry } from './kubelet/images.js';
import { spawnSupervisor } from './supervisor.js';

export interface TestClusterEnv {
  CAPSTAN_TEST_KUBECONFIG?: string | undefined;
  CAPSTAN_TEST_LOCALCLUSTER?: string | undefined;
  /** The Kubernetes version of private clusters (set by `npm test -- --kubernetes 1.35`). */
  CAPSTAN_TEST_KUBERNETES?: string | undefined;
}

/** Options of `useTestCluster`: the environment to read, start-up logging and extra images. */
export interface UseTestClusterOptions {
  /** Where CAPSTAN_TEST_KUBECONFIG and the other test variables are read. Default: process.env. */
  env?: TestClusterEnv;
  /** Progress of a private cluster's start-up (default: silent). */
  log?: (line: string) => void;
  /** Image registry additions, for a private cluster only. */
  images?: ImageRegistry;
}

let shared: Promise<ClusterHandle> | undefined;

/**
 * Memoised per process. With CAPSTAN_TEST_KUBECONFIG set (by `npm test`), a handle on that cluster whose
 * stop() does nothing; otherwise a private local cluster in a child process that dies with this process.
 */
export function useTestCluster(options: UseTestClusterOptions = {}): Promise<ClusterHandle> {
  shared ??= openTestCluster(options);
  return shared;
}

async function openTestCluster(options: UseTestClusterOptions): Promise<ClusterHandle> {
  const env = options.env ?? process.env;
  const kubeconfigPath = env.CAPSTAN_TEST_KUBECONFIG;
  if (kubeconfigPath) {
    const info = readClusterInfo(kubeconfigPath);
    if (info) {
      // cluster.json is authoritative: a capstan cluster (runner's or `capstan cluster up`) says whether pods run.
      return new LocalClusterHandle(info, readFileSync(kubeconfigPath, 'utf8'));
    }
    return ExistingClusterHandle.open(kubeconfigPath, { simulatedKubelet: env.CAPSTAN_TEST_LOCALCLUSTER === '1' });
  }
  return startPrivateCluster({ ...options, kubernetesVersion: env.CAPSTAN_TEST_KUBERNETES });
}

/** A private cluster for this process, in a supervisor child so this process can exit normally when its tests end. */
export interface PrivateClusterOptions {
  log?: (line: string) => void;
  images?: ImageRegistry;
  kubelet?: boolean;
  /** The kubelet's image runtime (root only; see LocalClusterOptions.imageRuntime). */
  imageRuntime?: boolean | ImageStoreDirs;
  /** Default: CAPSTAN_TEST_KUBERNETES, else the newest supported version. */
  kubernetesVersion?: string | undefined;
}

/** A local cluster of this process alone, run by a supervisor child so that the process can exit normally; removed when it stops. */
export async function startPrivateCluster(options: PrivateClusterOptions = {}): Promise<ClusterHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'capstan-cluster-'));
  const supervisor = await spawnSupervisor({
    dataDir,
    detached: false,
    removeDataDir: true,
    ...(options.log ? { log: options.log } : {}),
    ...(options.images ? { images: options.images } : {}),
    ...(options.kubelet === false ? { kubelet: false } : {}),
    ...(options.imageRuntime ? { imageRuntime: options.imageRuntime } : {}),
    kubernetesVersion: options.kubernetesVersion ?? process.env.CAPSTAN_TEST_KUBERNETES,
  });
  const info = readClusterInfo(supervisor.kubeconfigPath);
  if (!info) throw new Error(`no cluster.json next to ${supervisor.kubeconfigPath}`);
  return new LocalClusterHandle(info, readFileSync(supervisor.kubeconfigPath, 'utf8'), () => supervisor.stop());
}
