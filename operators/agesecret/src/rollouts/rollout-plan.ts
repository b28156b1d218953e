// Rollouts on change, the pure part: which workloads opted in and use a Secret, and the one annotation to set on them.
import { createHmac, createHash } from 'node:crypto';
import type { KubeObject } from 'capstan';

/** The workload annotation by which its owners opt in to a rollout when a managed Secret it uses changes. */
export const ROLLOUT_ANNOTATION = 'age-secret.pyvo.io/rollout-on-change';
const HASH_PREFIX = 'age-secret.pyvo.io/secret-hash-';
/** Room for the Secret's name in the annotation's name part (63 characters at most, "secret-hash-" included). */
const NAME_ROOM = 63 - 'secret-hash-'.length;

interface Container {
  env?: { valueFrom?: { secretKeyRef?: { name?: string } } }[];
  envFrom?: { secretRef?: { name?: string } }[];
}
interface Volume {
  secret?: { secretName?: string };
  projected?: { sources?: { secret?: { name?: string } }[] };
}
/** A Deployment, StatefulSet or DaemonSet, as far as rollouts read it. */
export interface Workload extends KubeObject {
  spec?: {
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { containers?: Container[]; initContainers?: Container[]; volumes?: Volume[] };
    };
  };
}

/** Whether the workload's owners opted in (the annotation on the workload itself, exactly "true"). */
export function optedIn(workload: Workload): boolean {
  return workload.metadata.annotations?.[ROLLOUT_ANNOTATION] === 'true';
}

/** The Secrets the pod template uses: env secretKeyRef, envFrom secretRef, secret and projected volumes, in all containers. */
export function referencedSecrets(workload: Workload): Set<string> {
  const pod = workload.spec?.template?.spec;
  const names: (string | undefined)[] = [];
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    for (const e of c.env ?? []) names.push(e.valueFrom?.secretKeyRef?.name);
    for (const e of c.envFrom ?? []) names.push(e.secretRef?.name);
  }
  for (const v of pod?.volumes ?? []) {
    names.push(v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) names.push(s.secret?.name);
  }
  return new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''));
}

/** The pod-template annotation for one Secret: its name when it fits, else a prefix and a hash of the name. */
export function hashAnnotation(secretName: string): string {
  if (secretName.length <= NAME_ROOM) return `${HASH_PREFIX}${secretName}`;
  const digest = createHash('sha256').update(secretName).digest('hex').slice(0, 12);
  return `${HASH_PREFIX}${secretName.slice(0, NAME_ROOM - 13)}-${digest}`;
}

/**
 * The value that changes with the Secret's data: an HMAC of its data hash keyed by the Secret's uid. A plain hash of
 * the data would let whoever reads Deployments test guesses of a short value offline; the uid is random and visible
 * only to those who can read the Secret's metadata. A replaced Secret (new uid) therefore rolls once as well.
 */
export function rolloutHash(secret: { uid: string; dataHash: string }): string {
  return createHmac('sha256', secret.uid).update(secret.dataHash).digest('hex').slice(0, 32);
}

/** The minimal merge patch that rolls the workload for this Secret's data, or undefined when nothing is due. */
export function rolloutPatch(workload: Workload, secretName: string, hash: string): Record<string, unknown> | undefined {
  if (!optedIn(workload) || !referencedSecrets(workload).has(secretName)) return undefined;
  const key = hashAnnotation(secretName);
  if (workload.spec?.template?.metadata?.annotations?.[key] === hash) return undefined;
  return { spec: { template: { metadata: { annotations: { [key]: hash } } } } };
}
