// Deployment-level opt-in: copy the handshake label and readiness gate into a labelled Deployment's pod template.
import { HANDSHAKE_LABEL, READINESS_CONDITION } from './names.js';
import type { Deployment } from './kube-types.js';

/**
 * The merge patch that adds what is missing to the pod template, or undefined when nothing is missing
 * (so an opted-in Deployment is written once, never again). Changing the template rolls the Deployment:
 * new pods come up with the gate and are handshaken before they count as available.
 *
 * readinessGates has no merge key, so the patch carries the whole list (existing gates kept) plus the
 * resourceVersion it was computed from: a concurrent edit makes the write conflict and the reconcile retry
 * instead of silently dropping someone's gate.
 */
export function templatePatchFor(deployment: Deployment): Record<string, unknown> | undefined {
  const value = deployment.metadata?.labels?.[HANDSHAKE_LABEL];
  if (value === undefined) return undefined;
  const template = deployment.spec?.template;
  const labels = template?.metadata?.labels ?? {};
  const gates = template?.spec?.readinessGates ?? [];
  const needsLabel = labels[HANDSHAKE_LABEL] === undefined;
  const needsGate = !gates.some((gate) => gate.conditionType === READINESS_CONDITION);
  if (!needsLabel && !needsGate) return undefined;

  const templatePatch: Record<string, unknown> = {};
  if (needsLabel) templatePatch.metadata = { labels: { [HANDSHAKE_LABEL]: value } };
  if (needsGate) templatePatch.spec = { readinessGates: [...gates, { conditionType: READINESS_CONDITION }] };
  const metadata: Record<string, unknown> = {};
  if (deployment.metadata?.resourceVersion) metadata.resourceVersion = deployment.metadata.resourceVersion;
  return { metadata, spec: { template: templatePatch } };
}

export interface DeploymentOptInDeps {
  /** JSON merge patch of the Deployment. */
  patchDeployment(patch: Record<string, unknown>): Promise<unknown>;
  events: { info(reason: string, message: string): unknown };
}

/** Writes the template patch when something is missing; returns whether it wrote. */
export async function reconcileDeployment(deployment: Deployment, deps: DeploymentOptInDeps): Promise<boolean> {
  if (deployment.metadata?.deletionTimestamp) return false;
  const patch = templatePatchFor(deployment);
  if (!patch) return false;
  await deps.patchDeployment(patch);
  try {
    await deps.events.info('HandshakeOptIn', 'added the secret-handshake label and readiness gate to the pod template; this rolls out new pods');
  } catch {
    // Best effort, as for pods.
  }
  return true;
}
