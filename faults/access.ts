// Who may do what in the fault tests: users minted by the local cluster with one Role each, conditions awaited as
// the admin, and SubjectAccessReviews that pin an RBAC matrix.
import { ApiClient, type KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import type { Rig } from './rig.js';
import { AGESECRETS } from './workload.js';

const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type Cond = { type: string; status: string; reason?: string; observedGeneration?: number };

/** A client for `user`, bound in `namespace` to a Role of exactly these rules (and nothing else). */
export async function userWithRole(rig: Rig, namespace: string, user: string, rules: Rule[]): Promise<ApiClient> {
  const role = `${user}-role`;
  await rig.client.create({ ...RBAC, plural: 'roles' }, { metadata: { name: role, namespace }, rules } as unknown as KubeObject, {
    namespace,
  });
  await rig.client.create(
    { ...RBAC, plural: 'rolebindings' },
    {
      metadata: { name: `${user}-binding`, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
    } as unknown as KubeObject,
    { namespace },
  );
  return ApiClient.create(rig.cluster.userKubeconfig({ user, groups: ['developers'] }));
}

/** Waits (as the admin) for the AgeSecret's Ready condition of its current generation to be `status` (and `reason`). */
export function waitCondition(rig: Rig, namespace: string, name: string, status: 'True' | 'False', reason?: string): Promise<Cond> {
  return waitUntil(
    async () => {
      const obj = await rig.client.get<KubeObject & { status?: { conditions?: Cond[] } }>(AGESECRETS, { namespace, name });
      const c = obj.status?.conditions?.find((x) => x.type === 'Ready');
      return c && c.observedGeneration === obj.metadata.generation && c.status === status && (!reason || c.reason === reason)
        ? c
        : undefined;
    },
    { timeoutMs: 180_000, message: `${namespace}/${name} Ready=${status} ${reason ?? ''}`, failFast: () => !rig.agesecret.running },
  );
}

/** [user, verb, group, resource(/subresource), namespace, name?, expected allowed] */
export type AccessCase = [string, string, string, string, string, string | undefined, boolean];

/** The cases whose SubjectAccessReview answer differs from the expected one (empty: the matrix holds). */
export async function wrongAccess(client: ApiClient, matrix: AccessCase[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const [user, verb, group, resource, namespace, name, expected] of matrix) {
    const [res, sub] = resource.split('/');
    const review = await client.create<KubeObject & { status?: { allowed?: boolean } }>(
      { group: 'authorization.k8s.io', version: 'v1', plural: 'subjectaccessreviews' },
      {
        spec: {
          user,
          groups: user.startsWith('system:serviceaccount:') ? ['system:serviceaccounts', 'system:authenticated'] : ['system:authenticated'],
          resourceAttributes: {
            verb,
            group,
            resource: res,
            ...(sub ? { subresource: sub } : {}),
            ...(namespace ? { namespace } : {}),
            ...(name ? { name } : {}),
          },
        },
      } as never,
    );
    if ((review.status?.allowed ?? false) !== expected)
      wrong.push(
        `${user} ${verb} ${group}/${resource} ${namespace}/${name ?? '*'}: allowed=${review.status?.allowed}, expected ${expected}`,
      );
  }
  return wrong;
}
