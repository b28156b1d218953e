// Installing the operators from deploy/ and running them with their ServiceAccounts, as pods or as processes.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@capstan/localcluster';
import { stringify } from 'yaml';
import { OperatorProcess, WaitTimeoutError } from 'capstan/testing';
import type { DemoContext } from './context.js';
import { CommandError } from './errors.js';
import { operatorContainer, webhookOnThisMachine, withContainerArgs, withFlag, withoutKind } from './manifests.js';
import { isReady, livePods, podState } from './pods.js';
import { NotYet, waitFor } from './waiting.js';

export interface OperatorDef {
  title: string;
  /** The kustomization that installs it. */
  dir: string;
  deployment: string;
  /** The entry its image runs. */
  program: string;
}

export const AGESECRET_OPERATOR: OperatorDef = {
  title: 'AgeSecret operator',
  dir: 'deploy/agesecret',
  deployment: 'agesecret-operator',
  program: 'operators/agesecret/src/main.ts',
};

export const HANDSHAKE_OPERATOR: OperatorDef = {
  title: 'legacy-handshake operator',
  dir: 'deploy/legacy-handshake',
  deployment: 'legacy-handshake-operator',
  program: 'operators/legacy-handshake/src/main.ts',
};

function lastLines(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-4).join('\n');
  } catch {
    return '';
  }
}

export interface RunningOperator {
  /** The Kubernetes user it acts as. */
  user: string;
  /** Where its log goes. */
  logFile: string;
  /** How it runs, for the narration. */
  how: string;
}

/** Everything of the kustomization except the Deployment: namespace, CRD, ServiceAccount, RBAC, config. */
export async function installOperatorManifests(ctx: DemoContext, def: OperatorDef): Promise<void> {
  const docs = withoutKind(await ctx.kubectl.kustomize(def.dir), 'Deployment');
  await ctx.kubectl.applyText(docs.map((d) => stringify(d)).join('---\n'));
}

export async function startOperator(ctx: DemoContext, def: OperatorDef): Promise<RunningOperator> {
  const docs = await ctx.kubectl.kustomize(def.dir);
  const plan = operatorContainer(docs, def.deployment);
  const user = `system:serviceaccount:${plan.namespace}:${plan.serviceAccount}`;
  if (ctx.operatorMode === 'pods') {
    // What `kubectl apply -k` installs; from source, the admission webhook is reached on this machine instead of
    // through its Service (the image runtime's pods have routable IPs, so there the Deployment goes in unchanged).
    const local = ctx.images ? docs : withContainerArgs(docs, def.deployment, webhookOnThisMachine);
    await ctx.kubectl.applyText(local.map((d) => stringify(d)).join('---\n'));
    let newest: string | undefined;
    const pod = await waitFor(
      `the ${def.deployment} pod to be Ready`,
      async () => {
        const pods = await livePods(ctx.api, plan.namespace, plan.selector, ctx.signal);
        newest = pods[0]?.metadata.name;
        const ready = pods.find(isReady);
        return ready ?? new NotYet(pods[0] ? podState(pods[0]) : 'no pod yet');
      },
      ctx.wait,
    ).catch((error: unknown) => {
      // The operator's own last words say why (no credentials, port in use...): show them with the timeout.
      const log = newest ? lastLines(ctx.cluster.podLogPath(plan.namespace, newest, plan.container)) : '';
      throw error instanceof WaitTimeoutError && log
        ? new WaitTimeoutError(`${error.message}; its log ends:\n${log}`, { cause: error })
        : error;
    });
    return {
      user,
      logFile: ctx.cluster.podLogPath(plan.namespace, pod.metadata.name, plan.container),
      how: `pod ${plan.namespace}/${pod.metadata.name} of Deployment ${def.deployment} (${ctx.images ? 'its image, run by runc' : 'kubelet simulator, from source'}, in-cluster config from its ServiceAccount token)`,
    };
  }
  const kubeconfig = await ctx.cluster.serviceAccountKubeconfig(plan.namespace, plan.serviceAccount);
  const port = await freePort();
  const logDir = join(ctx.workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${def.deployment}.log`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...plan.env };
  delete env['KUBECONFIG'];
  // capstan/testing's operator process: own process group, killed with the demo even by SIGKILL.
  const proc = new OperatorProcess({
    name: def.deployment,
    program: join(ctx.repoRoot, def.program),
    args: withFlag(withFlag(webhookOnThisMachine(plan.args), 'health-port', String(port)), 'kubeconfig', kubeconfig),
    env,
    cwd: ctx.repoRoot,
    logFile,
    healthPort: port,
  });
  await proc.start();
  ctx.cleanups.push(async () => {
    await proc.stop(10_000);
  });
  await waitFor(
    `${def.deployment} to report ready on /readyz`,
    async () => {
      if (!proc.running) throw new CommandError(`${def.deployment} stopped (${proc.describeExit()}):\n${proc.logTail(8)}`);
      const answer = await proc.fetch('/readyz');
      return answer.status === 200 ? true : new NotYet(`/readyz answered ${answer.status}`);
    },
    ctx.wait,
  );
  return {
    user,
    logFile,
    how: `process ${proc.pid} with the args of Deployment ${def.deployment} and a kubeconfig holding a TokenRequest token of ServiceAccount ${plan.namespace}/${plan.serviceAccount}`,
  };
}
