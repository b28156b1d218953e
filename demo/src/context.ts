// What every demo step works with: the cluster, kubectl, the narrator, the checks, the clock and Ctrl-C.
import type { KubeApi, LocalCluster } from '@capstan/localcluster';
import type { CheckList } from './checks.js';
import type { Kubectl } from './kubectl.js';
import type { Narrator } from './narrator.js';
import type { WaitOptions } from './waiting.js';

/** pods: the operators' Deployments from deploy/ run as pods of the kubelet simulator (in-cluster config);
 *  processes: child processes of the demo, with their Deployment's args and a ServiceAccount kubeconfig. */
export type OperatorMode = 'pods' | 'processes';

export interface DemoContext {
  repoRoot: string;
  /** The demo's private temp dir: identities, plaintext and encrypted manifests, operator logs. */
  workDir: string;
  cluster: LocalCluster;
  api: KubeApi;
  kubectl: Kubectl;
  narrator: Narrator;
  checks: CheckList;
  signal: AbortSignal;
  operatorMode: OperatorMode;
  /** The cluster runs the built images with runc: Deployments go in exactly as deploy/ has them. */
  images: boolean;
  /** Options for every wait (timeout per condition, Ctrl-C). */
  wait: WaitOptions;
  /** Undo actions, run in reverse order at teardown. */
  cleanups: (() => Promise<void>)[];
}
