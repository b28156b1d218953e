// Deployment-level opt-in: copy the handshake label and readiness gate into a labelled Deployment's pod template.
import { HANDSHAKE_LABEL, READINESS_CONDITION } from './names.js';
import type { Deployment } from './kube-types.js';

/** One JSON Patch (RFC 6902) operation. */
export interface JsonPatchOperation {
  op: 'add' | 'test';
  path: string;
  value: unknown;
}

const TEMPLATE = '/spec/template';

/**
 * The JSON patch adding what is missing to the pod template, or undefined when nothing is missing (so an
 * opted-in Deployment is written once, never again). Changing the template rolls the Deployment: new pods
 * come up with the gate and are handshaken before they count as available.
 *
 * readinessGates has no merge key, so an existing list is guarded by a `test` of its current value: a
 * concurrent edit of the gates fails the patch (and the reconcile retries) instead of being overwritten,
 * while unrelated writes (the Deployment controller's status updates) do not conflict.
 */
export function templatePatchFor(deployment: Deployment): JsonPatchOperation[] | undefined {
  const value = deployment.metadata?.labels?.[HANDSHAKE_LABEL];
  if (value === undefined) return undefined;
  const template = deployment.spec?.template;
  const labels = template?.metadata?.labels;
  const gates = template?.spec?.readinessGates;
  const ops: JsonPatchOperation[] = [];
  if (labels?.[HANDSHAKE_LABEL] === undefined) {
    ops.push(
      labels === undefined
        ? { op: 'add', path: `${TEMPLATE}/metadata/labels`, value: { [HANDSHAKE_LABEL]: value } }
        : { op: 'add', path: `${TEMPLATE}/metadata/labels/${HANDSHAKE_LABEL}`, value },
    );
  }
  if (!(gates ?? []).some((gate) => gate.conditionType === READINESS_CONDITION)) {
    const gate = { conditionType: READINESS_CONDITION };
    if (gates === undefined) ops.push({ op: 'add', path: `${TEMPLATE}/spec/readinessGates`, value: [gate] });
    else
      ops.push(
        { op: 'test', path: `${TEMPLATE}/spec/readinessGates`, value: gates },
        { op: 'add', path: `${TEMPLATE}/spec/readinessGates/-`, value: gate },
      );
  }
  return ops.length > 0 ? ops : undefined;
}

export interface DeploymentOptInDeps {
  /** JSON patch (RFC 6902) of the Deployment. */
  patchDeployment(patch: JsonPatchOperation[]): Promise<unknown>;
  events: { info(reason: string, message: string): unknown };
}

/** Writes the template patch when something is missing; returns whether it wrote. */
export async function reconcileDeployment(deployment: Deployment, deps: DeploymentOptInDeps): Promise<boolean> {
  if (deployment.metadata?.deletionTimestamp) return false;
  const patch = templatePatchFor(deployment);
  if (!patch) return false;
  await deps.patchDeployment(patch);
  try {
    await deps.events.info(
      'HandshakeOptIn',
      'added the secret-handshake label and readiness gate to the pod template; this rolls out new pods',
    );
  } catch {
    // Best effort, as for pods.
  }
  return true;
}
