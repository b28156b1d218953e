// cluster.json, written next to the kubeconfig: everything another process needs to use a running local cluster.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A local cluster's facts as written to its cluster.json: address, credentials, directories, version. */
export interface ClusterInfo {
  /** The file format's version. */
  version: 1;
  /** The cluster's name in its kubeconfig. */
  name: string;
  /** The API server's URL. */
  server: string;
  /** PEM of the API server's CA. */
  ca: string;
  /** A bearer token with cluster-admin rights. */
  adminToken: string;
  /** HMAC key the token webhook trusts: holders can mint tokens for any user. */
  tokenSecret: string;
  /** The cluster's state directory (kubeconfig, logs, pod roots). */
  dir: string;
  /** The admin kubeconfig; cluster.json lies next to it. */
  kubeconfigPath: string;
  /** Whether the kubelet simulator runs, so pods really run as local processes. */
  simulatedKubelet: boolean;
  /** Whether the kubelet runs containers from built images with runc (the image runtime); absent in older files. */
  imageRuntime?: boolean;
  /** The name of the cluster's node. */
  nodeName: string;
  /** The process that owns the control plane (the test runner, a test file or the CLI supervisor). */
  pid: number;
  /** The control plane's Kubernetes version ("1.37.2"). */
  kubernetesVersion: string;
  /** The kubectl built with the control plane (same version as the server). */
  kubectl: string;
}

export const CLUSTER_FILE = 'cluster.json';

export function clusterFileFor(kubeconfigPath: string): string {
  return join(dirname(kubeconfigPath), CLUSTER_FILE);
}

export function writeClusterInfo(info: ClusterInfo): string {
  const path = clusterFileFor(info.kubeconfigPath);
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** The info of the local cluster whose kubeconfig this is, or undefined for any other cluster. */
export function readClusterInfo(kubeconfigPath: string): ClusterInfo | undefined {
  let text: string;
  try {
    text = readFileSync(clusterFileFor(kubeconfigPath), 'utf8');
  } catch {
    return undefined;
  }
  const info = JSON.parse(text) as ClusterInfo;
  return info.version === 1 && info.kubeconfigPath ? info : undefined;
}
