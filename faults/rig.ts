// The fault suite's own world: a private local control plane, both operators installed from deploy/ and run as
// processes with their ServiceAccount kubeconfigs, and the fault injector for that control plane.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlaneFaults, startLocalCluster, type LocalCluster, kubectlPath } from '@capstan/localcluster';
import { ApiClient, type KubeObject } from 'capstan';
import { parseAllDocuments, stringify } from 'yaml';
import { freePort } from '@capstan/localcluster';
import { OperatorProcess } from 'capstan/testing';
import { generateInstall } from 'capstan/manifests';
import { install } from '../operators/agesecret/src/install.js';
import { operatorEnv, REPO_ROOT } from './repo.js';
import { waitUntil } from 'capstan/testing';

export const AGESECRET_NS = 'agesecret-system';
export const HANDSHAKE_NS = 'legacy-operator-system';
const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;

export interface RigOptions {
  /** Run the legacy-handshake operator too (it needs the kubelet simulator for its pods). */
  handshake?: boolean;
  /** Extra flags of the AgeSecret operator (e.g. `--require-binding`). */
  agesecretArgs?: string[];
  /**
   * Operator flags that widen its RBAC (`--managed-keys-label`, `--rollouts`, ...): passed to the AgeSecret operator,
   * and its ClusterRole and Role are those `capstan generate` derives for the install with these flags (deploy/ holds
   * the default install's, which grants none of it).
   */
  featureArgs?: string[];
  /** Serve the AgeSecret operator's validating webhook (on this machine, certificates in its Secret). */
  webhook?: boolean;
  log?: (line: string) => void;
}

export interface Rig {
  cluster: LocalCluster;
  faults: ControlPlaneFaults;
  /** Admin client (the test's own writes and checks). */
  client: ApiClient;
  workDir: string;
  agesecret: OperatorProcess;
  handshake: OperatorProcess | undefined;
  /** Another AgeSecret operator replica with the same identity (leader election tests). */
  agesecretReplica(name: string, extraArgs?: string[]): Promise<OperatorProcess>;
  close(): Promise<void>;
}

/** Everything of a kustomization except its Deployment, applied with kubectl as the admin. */
function installManifests(kubeconfig: string, dir: string): void {
  const rendered = execFileSync(kubectlPath(), ['kustomize', join(REPO_ROOT, dir)], { encoding: 'utf8' });
  const docs = parseAllDocuments(rendered)
    .map((d) => d.toJS() as KubeObject)
    .filter((d) => d && d.kind !== 'Deployment');
  execFileSync(kubectlPath(), ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '-f', '-'], {
    input: docs.map((d) => stringify(d)).join('---\n'),
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** The RBAC documents of the AgeSecret install with extra flags, applied over deploy/'s (same names, more rules). */
async function installFeatureRbac(kubeconfig: string, args: string[]): Promise<void> {
  const generated = await generateInstall(
    { ...install, namespace: AGESECRET_NS, args: [...(install.args ?? []), ...args] },
    { source: 'faults', version: 'faults' },
  );
  const docs = ['cluster-role.yaml', 'role.yaml'].map((f) => generated.files[f]).filter((d): d is string => !!d);
  execFileSync(kubectlPath(), ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '-f', '-'], {
    input: docs.join('\n---\n'),
    encoding: 'utf8',
    timeout: 120_000,
  });
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const log = options.log ?? (() => {});
  const workDir = mkdtempSync(join(tmpdir(), 'capstan-faults-'));
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  // The version the test command was given (--kubernetes sets CAPSTAN_TEST_KUBERNETES), else the default: so the smoke
  // case also runs on the oldest supported minor in the version matrix.
  const kubernetesVersion = process.env.CAPSTAN_TEST_KUBERNETES;
  const cluster = await startLocalCluster({
    log,
    timeoutMs: 180_000,
    kubelet: options.handshake ?? false,
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
  });
  const faults = new ControlPlaneFaults(cluster);
  const client = await ApiClient.create(cluster.kubeconfigPath);
  const processes: OperatorProcess[] = [];
  try {
    installManifests(cluster.kubeconfigPath, 'deploy/agesecret');
    if (options.featureArgs?.length) await installFeatureRbac(cluster.kubeconfigPath, options.featureArgs);
    await waitUntil(
      async () => {
        const crd = await client.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(CRDS, {
          name: 'agesecrets.pyvo.io',
        });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { timeoutMs: 120_000, message: 'the AgeSecret CRD to be Established' },
    );
    const agesecretKubeconfig = await cluster.serviceAccountKubeconfig(AGESECRET_NS, 'agesecret-operator');
    const makeAgesecret = async (name: string, extraArgs: string[] = []) => {
      const proc = new OperatorProcess({
        name,
        program: 'operators/agesecret/src/main.ts',
        args: [
          '--all-namespaces',
          `--operator-namespace=${AGESECRET_NS}`,
          `--kubeconfig=${agesecretKubeconfig}`,
          ...(options.agesecretArgs ?? []),
          ...(options.featureArgs ?? []),
          // The install's webhook, reached on this machine (the local cluster routes no Services); the
          // certificates in the Secret deploy/agesecret's Role names, checked every 2 s so rotations show fast.
          ...(options.webhook
            ? [
                '--webhook-local',
                `--webhook-port=${await freePort()}`,
                '--webhook-cert-secret=agesecret-operator-webhook-cert',
                '--webhook-refresh-ms=2000',
              ]
            : []),
          ...extraArgs,
        ],
        env: operatorEnv({ POD_NAMESPACE: AGESECRET_NS, POD_NAME: name, LOG_LEVEL: 'info' }),
        cwd: REPO_ROOT,
        logFile: join(workDir, 'logs', `${name}.log`),
        healthPort: await freePort(),
      });
      proc.options.args.push(`--health-port=${proc.options.healthPort}`);
      processes.push(proc);
      return proc;
    };
    const agesecret = await makeAgesecret('agesecret-operator');
    let handshake: OperatorProcess | undefined;
    if (options.handshake) {
      installManifests(cluster.kubeconfigPath, 'deploy/legacy-handshake');
      const kubeconfig = await cluster.serviceAccountKubeconfig(HANDSHAKE_NS, 'legacy-handshake-operator');
      const port = await freePort();
      handshake = new OperatorProcess({
        name: 'legacy-handshake-operator',
        program: 'operators/legacy-handshake/src/main.ts',
        args: [
          '--all-namespaces',
          `--suffix-secret=${HANDSHAKE_NS}/legacy-handshake-suffix:suffix`,
          `--kubeconfig=${kubeconfig}`,
          `--health-port=${port}`,
          '--health-host=127.0.0.1',
        ],
        env: operatorEnv({ LOG_LEVEL: 'info' }),
        cwd: REPO_ROOT,
        logFile: join(workDir, 'logs', 'legacy-handshake-operator.log'),
        healthPort: port,
      });
      processes.push(handshake);
    }
    return {
      cluster,
      faults,
      client,
      workDir,
      agesecret,
      handshake,
      agesecretReplica: (name, extraArgs) => makeAgesecret(name, extraArgs),
      async close() {
        await Promise.all(processes.map((p) => p.stop(10_000)));
        client.close();
        await faults.close();
        await cluster.stop();
      },
    };
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop(5000)));
    client.close();
    await faults.close();
    await cluster.stop();
    throw error;
  }
}

/** Starts the process and waits until its /readyz says 200 (it listed everything and acts). */
export async function startAndWaitReady(proc: OperatorProcess, timeoutMs = 180_000): Promise<void> {
  await proc.start();
  await waitReady(proc, timeoutMs);
}

export async function waitReady(proc: OperatorProcess, timeoutMs = 180_000): Promise<void> {
  await proc.ready(timeoutMs);
}
