// Generated RBAC in a test cluster: an install's roles bound to its ServiceAccount in a test namespace, and the
// proof from the audit log that a run needed every grant (minimal) and was refused nothing (sufficient).
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../client/surface.js';
import { requestsFromAuditLog, ruleCoverage, type Coverage } from '../core/manifests/coverage.js';
import { generateInstall, type InstallSpec } from '../core/manifests/install.js';
import type { DerivedRbac } from '../core/manifests/rbac.js';
import type { KubeObject } from '../structs/objects.js';
import { waitUntil, WaitTimeoutError } from '../kits/wait-until.js';

/** What `applyGeneratedRbac` needs. */
export interface GeneratedRbacOptions {
  /** An admin client of the test cluster. */
  client: KubeClient;
  install: InstallSpec;
  /** The test's namespace for the operator (instead of the install's); it must exist. */
  namespace: string;
  /** The operator's args for this test (instead of the install's), e.g. naming objects in `namespace`. */
  args?: string[];
}

/** A generated install's RBAC as created in a test cluster. */
export interface AppliedRbac {
  /** The install as applied: its namespace and args replaced. */
  install: InstallSpec;
  rbac: DerivedRbac;
  serviceAccount: { namespace: string; name: string };
  /** The ServiceAccount's user name in audit records. */
  user: string;
  /** Deletes the cluster-scoped objects (the namespaced ones go with the test's namespaces). */
  remove(): Promise<void>;
}

const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;
const PLURALS: Record<string, { group?: string; version: string; plural: string }> = {
  ServiceAccount: { version: 'v1', plural: 'serviceaccounts' },
  ClusterRole: { ...RBAC, plural: 'clusterroles' },
  ClusterRoleBinding: { ...RBAC, plural: 'clusterrolebindings' },
  Role: { ...RBAC, plural: 'roles' },
  RoleBinding: { ...RBAC, plural: 'rolebindings' },
};

/**
 * Generates the install for `namespace` and creates its ServiceAccount, Roles and ClusterRoles (cluster-scoped
 * names get the namespace appended: other tests may hold the same install's roles at the same time).
 */
export async function applyGeneratedRbac(options: GeneratedRbacOptions): Promise<AppliedRbac> {
  const install: InstallSpec = { ...options.install, namespace: options.namespace, ...(options.args ? { args: options.args } : {}) };
  const generated = await generateInstall(install, { source: 'test', version: 'test' });
  const docs = ['service-account.yaml', 'cluster-role.yaml', 'role.yaml']
    .filter((f) => generated.files[f])
    .flatMap((f) => parseAllDocuments(generated.files[f]!).map((d) => d.toJS() as KubeObject & { roleRef?: { name: string } }));
  const clusterScoped: { kind: string; name: string }[] = [];
  for (const doc of docs) {
    const kind = doc.kind ?? '';
    const resource = PLURALS[kind];
    if (!resource) continue;
    if (kind === 'ClusterRole' || kind === 'ClusterRoleBinding') {
      doc.metadata.name = `${doc.metadata.name}-${options.namespace}`;
      if (doc.roleRef) doc.roleRef.name = `${doc.roleRef.name}-${options.namespace}`;
      clusterScoped.push({ kind, name: doc.metadata.name });
    }
    await options.client.create(resource, doc, doc.metadata.namespace ? { namespace: doc.metadata.namespace } : {});
  }
  return {
    install,
    rbac: generated.rbac,
    serviceAccount: { namespace: options.namespace, name: install.name },
    user: `system:serviceaccount:${options.namespace}:${install.name}`,
    async remove() {
      for (const c of clusterScoped.reverse()) await options.client.delete(PLURALS[c.kind]!, { name: c.name }).catch(() => undefined);
    },
  };
}

/**
 * What the ServiceAccount's requests (from the API server's audit log) used of the generated RBAC. Requests
 * still under way (a Lease renewal due in a moment) may complete the picture: it waits up to `settleMs` (default
 * 30 s) for every grant to be used, and returns early on a forbidden request.
 */
export async function rbacCoverage(auditLogPath: string, applied: AppliedRbac, options: { settleMs?: number } = {}): Promise<Coverage> {
  const read = async () => ruleCoverage(applied.rbac, requestsFromAuditLog(await readFile(auditLogPath, 'utf8'), applied.user));
  return waitUntil(
    async () => {
      const coverage = await read();
      return coverage.unused.length === 0 || coverage.forbidden.length > 0 ? coverage : undefined;
    },
    { timeoutMs: options.settleMs ?? 30_000, message: 'every generated grant used' },
  ).catch((error: unknown) => (error instanceof WaitTimeoutError ? read() : Promise.reject(error)));
}

/** One line per unused grant, for assertion messages and documented exceptions: `<scope> <group>/<resource> <verb>`. */
export function describeUnused(coverage: Coverage): string[] {
  return coverage.unused
    .map((u) => {
      const scope = 'cluster' in u.scope ? 'cluster' : u.scope.namespace;
      const names = u.rule.rule.resourceNames?.length ? `(${u.rule.rule.resourceNames.join(',')})` : '';
      return `${scope} ${u.rule.rule.apiGroups[0] ?? ''}/${u.rule.rule.resources[0] ?? ''}${names} ${u.verb}`;
    })
    .sort();
}
