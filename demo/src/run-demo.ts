// The demo from start to teardown: cluster, operators, AgeSecret, numbers app, legacy handshake, checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveKubernetesVersion, startLocalCluster, type LocalCluster } from '@capstan/localcluster';
import { applySecretStep, encryptStep, numbersAppStep } from './agesecret-steps.js';
import { CheckList, CHECKS, formatSummary, type CheckId, type CheckResult } from './checks.js';
import type { DemoContext, OperatorMode } from './context.js';
import { StoppedError } from './errors.js';
import { Kubectl } from './kubectl.js';
import { leakCheck } from './leak-check.js';
import { handshakeStep, legacyBeforeStep } from './legacy-steps.js';
import { Narrator } from './narrator.js';
import { ensureDemoImages } from './images.js';
import { AGESECRET_OPERATOR, HANDSHAKE_OPERATOR, installOperatorManifests, startOperator } from './operators.js';
import { NotYet, waitFor } from './waiting.js';

export interface DemoOptions {
  /** Verify, print the summary and return instead of running until the signal aborts. */
  once: boolean;
  operatorMode: OperatorMode;
  repoRoot: string;
  write: (text: string) => void;
  color: boolean;
  /** Ctrl-C: interrupts a step, or ends the running demo. */
  signal: AbortSignal;
  /** Per-condition wait (default 300 s: nothing here depends on speed). */
  waitTimeoutMs?: number;
  /** Kubernetes version of the local cluster ("1.35"; default the newest supported). */
  kubernetesVersion?: string | undefined;
  /** Run the images `npm run images` builds (built first when missing) with runc, as on a real cluster. */
  images?: boolean;
}

export interface DemoResult {
  ok: boolean;
  checks: CheckResult[];
  /** Ctrl-C before the demo finished setting up. */
  interrupted: boolean;
}

const STEPS = 8;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const narrator = new Narrator({ write: options.write, color: options.color, totalSteps: STEPS });
  const checks = new CheckList();
  let workDir: string | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  let cluster: LocalCluster | undefined;
  let current: CheckId = CHECKS[0][0];
  let interrupted = false;
  try {
    const version = resolveKubernetesVersion(options.kubernetesVersion);
    narrator.begin(
      `Local cluster: Kubernetes v${version} (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) + kubelet simulator (no Docker)`,
    );
    narrator.say(
      `The first run builds Kubernetes v${version} and its kubectl from Go modules once (10-25 minutes on 2 cores); later runs start in seconds.`,
    );
    if (options.images) {
      narrator.say('--images: the four images run from the local image store with runc (as non-root, read-only root), not from source.');
      await ensureDemoImages(options.repoRoot, (line) => narrator.progress(line));
    }
    cluster = await startLocalCluster({
      kubernetesVersion: version,
      ...(options.images ? { imageRuntime: true } : {}),
      log: (line) => narrator.progress(line),
    });
    // Inside the cluster's own temp dir: the cluster's reaper removes it (keys, plaintext) even if the demo is killed.
    workDir = mkdtempSync(join(cluster.dir, 'demo-'));
    const kubectl = new Kubectl({ kubeconfigPath: cluster.kubeconfigPath, cwd: options.repoRoot, signal: options.signal });
    const ctx: DemoContext = {
      repoRoot: options.repoRoot,
      workDir,
      cluster,
      api: cluster.adminApi(),
      kubectl,
      narrator,
      checks,
      signal: options.signal,
      operatorMode: options.operatorMode,
      images: !!options.images,
      cleanups,
      wait: { timeoutMs: options.waitTimeoutMs ?? 300_000, signal: options.signal },
    };
    await waitFor(
      'the node to be Ready',
      async () => {
        const node = await ctx.api.find<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/api/v1/nodes/${cluster?.info.nodeName}`,
          ctx.signal,
        );
        return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : new NotYet('node not Ready');
      },
      ctx.wait,
    );
    checks.pass('cluster', `Kubernetes v${cluster.info.kubernetesVersion} at ${cluster.server}`);
    narrator.done(`cluster up; everything below works with its admin kubeconfig:`);
    narrator.look(kubectl.command('get nodes,pods -A -o wide'));

    current = 'install';
    narrator.begin(
      "Install the CRD and the operators' ServiceAccounts and least-privilege RBAC (deploy/agesecret, deploy/legacy-handshake)",
    );
    await installOperatorManifests(ctx, AGESECRET_OPERATOR);
    await installOperatorManifests(ctx, HANDSHAKE_OPERATOR);
    await waitFor(
      'CRD agesecrets.pyvo.io to be Established',
      async () => {
        const crd = await ctx.api.find<{ status?: { conditions?: { type: string; status: string }[] } }>(
          '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/agesecrets.pyvo.io',
          ctx.signal,
        );
        return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : new NotYet('not Established');
      },
      ctx.wait,
    );
    checks.pass('install', 'CRD Established; ClusterRoles agesecret-operator, legacy-handshake-operator');
    narrator.say('Applied: what `kubectl apply -k deploy/agesecret` and `-k deploy/legacy-handshake` install, except the');
    narrator.say("operators' Deployments (next steps). Look at the CRD and at the least-privilege roles:");
    narrator.look(kubectl.command('get crd agesecrets.pyvo.io'));
    narrator.look(kubectl.command('describe clusterrole agesecret-operator legacy-handshake-operator'));

    current = 'agesecret-operator';
    narrator.begin(
      `Start the AgeSecret operator with its ServiceAccount's identity (${options.operatorMode === 'pods' ? 'as a pod' : 'as a process'})`,
    );
    const ageOperator = await startOperator(ctx, AGESECRET_OPERATOR);
    checks.pass('agesecret-operator', ageOperator.user);
    narrator.done(`${AGESECRET_OPERATOR.title} runs as ${ageOperator.user}:`);
    narrator.say(ageOperator.how);
    narrator.look(`tail -f ${ageOperator.logFile}`);

    current = 'encrypt';
    narrator.begin(
      "Opt namespace development into cluster-held keys; encrypt the demo AgeSecret for its published recipients and the developer's own",
    );
    const material = await encryptStep(ctx);

    current = 'agesecret-ready';
    narrator.begin('Apply the encrypted AgeSecret in namespace development (ageSecretRef: the key the operator holds)');
    await applySecretStep(ctx, material);

    current = 'numbers-page';
    narrator.begin('Deploy the numbers app (deploy/numbers): it mounts the Secret macrodata-numbers');
    await numbersAppStep(ctx, material);

    current = 'legacy-before';
    narrator.begin('Deploy legacy-mock (deploy/legacy-mock) before its operator runs');
    await legacyBeforeStep(ctx);

    current = 'handshake-operator';
    narrator.begin(`Start the legacy-handshake operator with its ServiceAccount's identity: it does the handshake`);
    const handshakeOperator = await handshakeStep(ctx);

    current = 'no-leak';
    await leakCheck(ctx, material, [ageOperator.logFile, handshakeOperator.logFile]);
  } catch (error) {
    if (error instanceof StoppedError || options.signal.aborted) {
      interrupted = true;
      narrator.warn('interrupted');
    } else {
      checks.fail(current, error instanceof Error ? error.message : String(error));
      narrator.warn(`failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const results = checks.all();
  narrator.plain(`\n${formatSummary(results)}`);
  if (!options.once && !interrupted && checks.ok && cluster) {
    narrator.plain('\nEverything is running: try the commands and URLs above. Press Ctrl-C to stop and clean up.');
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      else options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  narrator.plain('\nTearing down: operators, cluster, temp files...');
  for (const undo of cleanups.reverse()) await undo().catch(() => {});
  await cluster?.stop().catch((error: unknown) => narrator.warn(`cluster stop: ${String(error)}`));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  narrator.plain('Done: nothing left running.');
  return { ok: checks.ok && !interrupted, checks: results, interrupted };
}
