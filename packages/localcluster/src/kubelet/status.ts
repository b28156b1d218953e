// Pure pod-status computation: phase and the conditions the kubelet owns (Initialized, ContainersReady, Ready).
import type { ContainerStatus, Pod, PodCondition } from './types.js';

/** The conditions this kubelet writes; everything else in status.conditions (readiness gates...) belongs to others. */
export const OWNED_CONDITIONS = ['Initialized', 'ContainersReady', 'Ready'] as const;

export function podPhase(pod: Pod, containers: ContainerStatus[], initialized: boolean): string {
  if (!initialized) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let failed = 0;
  let succeeded = 0;
  for (const c of containers) {
    if ('running' in c.state) running++;
    else if ('terminated' in c.state) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
      else failed++;
    } else if ('terminated' in c.lastState)
      stopped++; // restarting: it ran before
    else waiting++;
  }
  const total = pod.spec.containers.length;
  if (waiting > 0 || containers.length < total) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === total) {
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure' && failed > 0) return 'Running';
    return failed > 0 ? 'Failed' : succeeded === total ? 'Succeeded' : 'Failed';
  }
  return 'Pending';
}

type Computed = Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>;

/** The kubelet's Ready rule: every container ready AND every readiness gate's condition True. */
export function ownedConditions(pod: Pod, containers: ContainerStatus[], initialized: boolean, phase: string): Computed[] {
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const unready = pod.spec.containers.map((c) => c.name).filter((name) => !containers.find((s) => s.name === name)?.ready);
  const containersReady: Computed = completed
    ? { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' }
    : unready.length
      ? {
          type: 'ContainersReady',
          status: 'False',
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${unready.join(' ')}]`,
        }
      : { type: 'ContainersReady', status: 'True' };
  let ready: Computed = { ...containersReady, type: 'Ready' };
  if (containersReady.status === 'True') {
    const problems: string[] = [];
    for (const gate of pod.spec.readinessGates ?? []) {
      const cond = pod.status?.conditions?.find((c) => c.type === gate.conditionType);
      if (!cond) problems.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
      else if (cond.status !== 'True')
        problems.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${cond.status}`);
    }
    if (problems.length) ready = { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: problems.join(', ') };
  }
  const init: Computed = initialized
    ? { type: 'Initialized', status: 'True' }
    : {
        type: 'Initialized',
        status: 'False',
        reason: 'ContainersNotInitialized',
        message: 'containers with incomplete status: init containers',
      };
  return [init, containersReady, ready];
}

/** Keeps lastTransitionTime when a condition's status did not change. */
export function withTransitionTimes(computed: Computed[], previous: PodCondition[] | undefined, now: string): PodCondition[] {
  return computed.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    return { ...c, lastProbeTime: null, lastTransitionTime };
  });
}

/** Whether the owned conditions in `current` already say what `computed` says (no write needed). */
export function conditionsMatch(computed: Computed[], current: PodCondition[] | undefined): boolean {
  return computed.every((c) => {
    const cur = current?.find((p) => p.type === c.type);
    return cur && cur.status === c.status && (cur.reason ?? '') === (c.reason ?? '') && (cur.message ?? '') === (c.message ?? '');
  });
}
