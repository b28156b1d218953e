// A fresh local control plane per workload (no leftovers from the previous one), with an admin client.
import { ApiClient } from 'capstan';
import { startLocalCluster, type ClusterHandle, type ImageRegistry } from '@capstan/localcluster';
import { machineInfo, type MachineInfo } from './machine.js';

export interface BenchCluster {
  handle: ClusterHandle;
  client: ApiClient;
  kubeconfigPath: string;
  machine: MachineInfo;
  stop(): Promise<void>;
}

/** Wraps a cluster someone else started (the test runner's), without owning its lifetime. */
export async function benchClusterOf(handle: ClusterHandle, owned = false): Promise<BenchCluster> {
  const client = await ApiClient.create(handle.kubeconfigPath);
  return {
    handle,
    client,
    kubeconfigPath: handle.kubeconfigPath,
    machine: await machineInfo(handle.kubeconfigPath),
    async stop() {
      client.close();
      if (owned) await handle.stop();
    },
  };
}

export async function startBenchCluster(
  options: { kubelet?: boolean; images?: ImageRegistry; log?: (line: string) => void } = {},
): Promise<BenchCluster> {
  const handle = await startLocalCluster({
    kubelet: options.kubelet ?? false,
    ...(options.images ? { images: options.images } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return benchClusterOf(handle, true);
}
