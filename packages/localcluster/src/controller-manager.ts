// Starts kube-controller-manager (GC, namespaces, deployments, endpoints, service-account tokens) against our apiserver.
import { join } from 'node:path';
import { spawnManaged, type ManagedProcess } from './processes.js';

export interface StartControllerManagerOptions {
  binary: string;
  logDir: string;
  pgidFile: string;
  kubeconfigPath: string;
  serviceAccountKey: string;
  caFile: string;
}

/** Not awaited for readiness: the cluster is usable as soon as the apiserver is, controllers catch up. */
export function startControllerManager(options: StartControllerManagerOptions): ManagedProcess {
  return spawnManaged({
    name: 'kube-controller-manager',
    command: options.binary,
    args: [
      `--kubeconfig=${options.kubeconfigPath}`,
      '--leader-elect=false',
      // No serving at all: parallel clusters would fight over the default port.
      '--secure-port=0',
      `--service-account-private-key-file=${options.serviceAccountKey}`,
      `--root-ca-file=${options.caFile}`,
      // No pod CIDRs here (pods get loopback IPs from the kubelet simulator); the apiserver's serving certificate
      // is self-signed, not a CA, so the trust-bundle publisher would retry forever.
      '--controllers=*,-node-ipam-controller,-kube-apiserver-serving-clustertrustbundle-publisher-controller',
      '--concurrent-gc-syncs=5',
      '--v=1',
    ],
    env: { PATH: '/usr/bin:/bin' },
    logFile: join(options.logDir, 'kube-controller-manager.log'),
    pgidFile: options.pgidFile,
  });
}
