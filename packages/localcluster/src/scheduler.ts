// Starts kube-scheduler against our apiserver: pods are bound to the kubelet simulator's Node the way a real cluster binds them.
import { join } from 'node:path';
import { spawnManaged, type ManagedProcess } from './processes.js';

export interface StartSchedulerOptions {
  binary: string;
  logDir: string;
  pgidFile: string;
  kubeconfigPath: string;
}

/** Not awaited for readiness: pods created before it runs wait Pending and are scheduled once it has synced. */
export function startScheduler(options: StartSchedulerOptions): ManagedProcess {
  return spawnManaged({
    name: 'kube-scheduler',
    command: options.binary,
    args: [
      `--kubeconfig=${options.kubeconfigPath}`,
      // Delegated authn/authz would need the apiserver's front-proxy setup; the scheduler serves nothing here.
      `--authentication-kubeconfig=${options.kubeconfigPath}`,
      `--authorization-kubeconfig=${options.kubeconfigPath}`,
      '--leader-elect=false',
      // No serving at all: parallel clusters would fight over the default port.
      '--secure-port=0',
      '--v=1',
    ],
    env: { PATH: '/usr/bin:/bin' },
    logFile: join(options.logDir, 'kube-scheduler.log'),
    pgidFile: options.pgidFile,
  });
}
