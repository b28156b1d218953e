// The mutating webhook's decision: a pod of an opted-in Deployment gets the handshake label and readiness gate at
// creation, so the Deployment never needs a second rollout; and the fallback's: which pods escaped the webhook.
import type { Deployment, Pod } from './kube-types.js';
import { HANDSHAKE_LABEL, READINESS_CONDITION } from './names.js';

const hasGate = (pod: Pod) => (pod.spec?.readinessGates ?? []).some((g) => g.conditionType === READINESS_CONDITION);

/**
 * The Deployment a new pod belongs to: its ReplicaSet owner is named `<deployment>-<pod-template-hash>`.
 * Undefined for pods not made by a Deployment's ReplicaSet.
 */
export function owningDeploymentName(pod: Pod): string | undefined {
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  const rs = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet' && o.controller);
  if (!hash || !rs || !rs.name.endsWith(`-${hash}`)) return undefined;
  return rs.name.slice(0, -(hash.length + 1)) || undefined;
}

/**
 * The pod as it should be created: with the label (the Deployment's value) and the readiness gate when its
 * Deployment is opted in and either is missing; undefined when nothing changes.
 */
export function podMutation(pod: Pod, deployment: Deployment | undefined): Pod | undefined {
  const value = deployment?.metadata?.labels?.[HANDSHAKE_LABEL];
  if (value === undefined || deployment?.metadata?.deletionTimestamp) return undefined;
  const labelled = pod.metadata?.labels?.[HANDSHAKE_LABEL] !== undefined;
  if (labelled && hasGate(pod)) return undefined;
  return {
    ...pod,
    metadata: { ...pod.metadata, labels: { ...pod.metadata?.labels, ...(labelled ? {} : { [HANDSHAKE_LABEL]: value }) } },
    spec: {
      ...pod.spec,
      containers: pod.spec?.containers ?? [],
      readinessGates: hasGate(pod)
        ? pod.spec?.readinessGates
        : [...(pod.spec?.readinessGates ?? []), { conditionType: READINESS_CONDITION }],
    },
  };
}

/** Pods of a Deployment that run without the gate: created while the webhook was down (or before it existed). */
export function escapedPods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => !p.metadata?.deletionTimestamp && !hasGate(p));
}
