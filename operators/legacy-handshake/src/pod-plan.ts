// What a labelled pod needs right now, decided from its latest state alone (level-triggered, no memory).
import { DONE_ANNOTATION, READINESS_CONDITION, RESTART_COUNT_ANNOTATION } from './names.js';
import type { Pod } from './kube-types.js';

export type PodPlan =
  | { kind: 'wait'; reason: string }
  /** The pod must not get the secret at all (until it changes). */
  | { kind: 'refuse'; reason: string }
  | {
      kind: 'handshake';
      podIP: string;
      restartCount: number;
      gated: boolean;
      /** Latest start of a running container (ms since epoch), when the kubelet reported one. */
      startedAt: number | undefined;
      /** The done annotation is stale (a container restarted since): remove it before anything else. */
      clearDone: boolean;
      /** The gate condition says True but the process is not (or no longer) handshaken. */
      markUnready: boolean;
    }
  | { kind: 'mark-ready'; restartCount: number }
  | { kind: 'done' };

/** Sum of container restart counts: any container restarting means a fresh, uninitialised process. */
export function restartCountOf(pod: Pod): number {
  let total = 0;
  for (const status of pod.status?.containerStatuses ?? []) {
    const count = status.restartCount ?? 0;
    if (Number.isInteger(count) && count > 0) total += count;
  }
  return total;
}

/** The restart count recorded at the last handshake; absent or garbled reads as 0 (a re-handshake is harmless). */
export function recordedRestartCount(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[RESTART_COUNT_ANNOTATION];
  return raw !== undefined && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : 0;
}

export function isGated(pod: Pod): boolean {
  return (pod.spec?.readinessGates ?? []).some((gate) => gate.conditionType === READINESS_CONDITION);
}

export function gateStatus(pod: Pod): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === READINESS_CONDITION)?.status;
}

/** Done means: annotated "true" at the current restart count. */
export function isDone(pod: Pod): boolean {
  return pod.metadata?.annotations?.[DONE_ANNOTATION] === 'true' && recordedRestartCount(pod) >= restartCountOf(pod);
}

export function planPod(pod: Pod): PodPlan {
  if (pod.metadata?.deletionTimestamp) return { kind: 'wait', reason: 'pod is being deleted' };
  const phase = pod.status?.phase;
  if (phase !== 'Running') return { kind: 'wait', reason: `pod phase is ${phase ?? 'unknown'}, not Running` };
  const podIP = pod.status?.podIP;
  if (!podIP) return { kind: 'wait', reason: 'pod has no IP yet' };
  if (pod.spec?.hostNetwork === true) {
    // Its IP is the node's: whatever listens on that port of the node would receive the secret.
    return {
      kind: 'refuse',
      reason: "the pod uses hostNetwork: its IP is the node's, so the secret could reach another process; not handshaking it",
    };
  }

  const restartCount = restartCountOf(pod);
  const gated = isGated(pod);
  const gate = gateStatus(pod);
  if (isDone(pod)) {
    return gated && gate !== 'True' ? { kind: 'mark-ready', restartCount } : { kind: 'done' };
  }
  return {
    kind: 'handshake',
    podIP,
    restartCount,
    gated,
    startedAt: latestStart(pod),
    clearDone: pod.metadata?.annotations?.[DONE_ANNOTATION] !== undefined,
    markUnready: gated && gate === 'True',
  };
}

/** When the most recently (re)started running container started: the app may still be binding its port. */
export function latestStart(pod: Pod): number | undefined {
  let latest: number | undefined;
  for (const status of pod.status?.containerStatuses ?? []) {
    const running = status.state?.running as { startedAt?: string } | undefined;
    const at = running?.startedAt ? Date.parse(running.startedAt) : Number.NaN;
    if (!Number.isNaN(at) && (latest === undefined || at > latest)) latest = at;
  }
  return latest;
}
