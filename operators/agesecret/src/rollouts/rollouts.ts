// Rollouts on change, the effects (opt-in, --rollouts): workloads using a managed Secret get its data hash in their pod template.
import type { HandlerContext, KubeObject, ObjectKey, Operator, ResourceHandle } from 'capstan';
import { DATA_HASH_ANNOTATION, type SecretObject } from '../reconcile/desired-secret.js';
import { optedIn, referencedSecrets, rolloutHash, rolloutPatch, type Workload } from './rollout-plan.js';

/** The workload kinds that roll: their pod template changes, their controller replaces the pods. */
export const WORKLOADS = [
  { group: 'apps', version: 'v1', plural: 'deployments' },
  { group: 'apps', version: 'v1', plural: 'statefulsets' },
  { group: 'apps', version: 'v1', plural: 'daemonsets' },
] as const;

/** Rolls the opted-in workloads of a namespace that use a Secret, after its data changed. */
export type RollOut = (ctx: HandlerContext<KubeObject>, secret: SecretObject) => Promise<void>;

/**
 * Watches the workloads (list, watch) and declares the patch, so that RBAC for them is generated only when rollouts
 * are enabled. A workload's change re-runs the AgeSecrets whose Secrets it uses (`targetsOf`): a workload that opts
 * in, or starts using a Secret, is brought up to date by the same level-triggered reconcile.
 */
export function registerRollouts<T extends KubeObject>(
  operator: Operator,
  ageSecrets: ResourceHandle<T>,
  targetsOf: (namespace: string, secretName: string) => ObjectKey[],
): RollOut {
  const handles = WORKLOADS.map((ref) => {
    const handle = operator.resource<Workload>(ref);
    operator.uses(ref, ['patch'], { why: 'rolls opted-in workloads when a Secret they use changes (one pod-template annotation)' });
    ageSecrets.watches(handle, (w) =>
      optedIn(w) ? [...referencedSecrets(w)].flatMap((name) => targetsOf(w.metadata.namespace ?? '', name)) : [],
    );
    return { ref, byNamespace: handle.index('by-namespace', (w) => [w.metadata.namespace ?? '']) };
  });

  return async (ctx, secret) => {
    const namespace = secret.metadata.namespace ?? '';
    const name = secret.metadata.name ?? '';
    const dataHash = secret.metadata.annotations?.[DATA_HASH_ANNOTATION];
    if (!dataHash || !secret.metadata.uid) return;
    const hash = rolloutHash({ uid: secret.metadata.uid, dataHash });
    for (const { ref, byNamespace } of handles) {
      for (const workload of byNamespace.get(namespace)) {
        const patch = rolloutPatch(workload, name, hash);
        if (!patch) continue;
        await ctx.client.patch(ref, { namespace, name: workload.metadata.name ?? '' }, patch, { signal: ctx.signal });
        ctx.logger.info('workload rolled', { kind: ref.plural, workload: workload.metadata.name, secret: name });
        await ctx.events.info('WorkloadRolled', `${ref.plural}/${workload.metadata.name} rolled: the data of Secret ${name} changed`);
      }
    }
  };
}
