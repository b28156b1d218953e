// An operator's install (`capstan generate`): CRDs, ServiceAccount, derived RBAC, Deployment and kustomization.
import { ConfigurationError } from '../../structs/errors.js';
import type { CustomResourceDefinition } from '../../structs/schema/custom-resource.js';
import type { OperatorDescription } from '../description.js';
import type { Operator } from '../types.js';
import { operatorDeployment, type ContainerResources } from './deployment.js';
import { deriveRbac, type DerivedRbac, type ExplainedRule } from './rbac.js';
import { renderYaml, type YamlDocument } from './yaml-documents.js';

/** What the Deployment runs, as the operator sees it: the container's args and the pod's namespace. */
export interface InstallContext {
  namespace: string;
  args: string[];
}

/** How an operator is installed. `capstan generate` loads the module exporting it (as `install`). */
export interface InstallSpec {
  /** Name of the Deployment, ServiceAccount, roles and (by default) the leader Lease: a DNS label. */
  name: string;
  /** The namespace the operator runs in (created by the install unless `createNamespace: false`). */
  namespace: string;
  image: string;
  /** The container's arguments (the image's entrypoint runs the operator). */
  args?: string[];
  /** The operator exactly as the Deployment runs it: its registrations and declarations give the RBAC. */
  operator(context: InstallContext): Operator | Promise<Operator>;
  /** CRDs the operator serves (crd.yaml; their scope and status subresource shape the RBAC). */
  crds?: readonly CustomResourceDefinition[];
  /** The probes' port (`--health-port`); default 8080. */
  healthPort?: number;
  /** Leader election through a Lease in `namespace` (default on, Lease named `name`); false: standalone. */
  leaderElection?: boolean | { leaseName: string };
  replicas?: number;
  resources?: ContainerResources;
  /** Plain environment variables of the container (besides POD_NAME and POD_NAMESPACE). */
  env?: Record<string, string>;
  createNamespace?: boolean;
  /** Lines written at the top of kustomization.yaml (what the install leaves to the user). */
  notes?: string[];
  /** More kustomization fields (a secretGenerator, images, ...), added after `resources`. */
  kustomization?: Record<string, unknown>;
}

/** Identity function with a type: `export const install = defineInstall({...})`. */
export function defineInstall(spec: InstallSpec): InstallSpec {
  return spec;
}

/** What `generateInstall` returns: the files, and the description and RBAC they were made from. */
export interface GeneratedInstall {
  /** File name (in the output directory) -> YAML text. */
  files: Record<string, string>;
  description: OperatorDescription;
  rbac: DerivedRbac;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The flags the Deployment adds for capstan's shared vocabulary, unless the args already set them. */
function containerArgs(spec: InstallSpec, port: number, leaseName: string | undefined, webhookService: string | undefined): string[] {
  const args = [...(spec.args ?? [])];
  const has = (flag: string) => args.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  if (webhookService && !args.some((a) => a.startsWith('--webhook-'))) args.push(`--webhook-service=${webhookService}`);
  if (!has('health-port')) args.push(`--health-port=${port}`);
  if (leaseName && !has('lease-name')) args.push(`--lease-name=${leaseName}`);
  if (!leaseName && !has('standalone')) args.push('--standalone');
  return args;
}

function commentOf(rule: ExplainedRule): string {
  const only = Object.entries(rule.conditional ?? {}).map(([verb, path]) => `${verb} only for ${path}`);
  return [...rule.why, ...only].map((w) => ` ${w}`).join('\n');
}

/** Everything `capstan generate` writes for one operator, as text (pure apart from building the operator). */
export async function generateInstall(spec: InstallSpec, options: { source: string; version: string }): Promise<GeneratedInstall> {
  for (const [what, value] of [
    ['name', spec.name],
    ['namespace', spec.namespace],
  ] as const)
    if (!dnsLabel.test(value)) throw new ConfigurationError(`install ${what} "${value}" must be a DNS label (lower-case, digits, -)`);
  if (!spec.image) throw new ConfigurationError('install image is empty');
  const port = spec.healthPort ?? 8080;
  const leaseName =
    spec.leaderElection === false ? undefined : (typeof spec.leaderElection === 'object' && spec.leaderElection.leaseName) || spec.name;
  // Built once, from the args without the webhook flag: flags change how it serves, never what it declares.
  const operator = await spec.operator({ namespace: spec.namespace, args: containerArgs(spec, port, leaseName, undefined) });
  const description = operator.describe();
  const webhookService = description.admission.length || description.conversions.length ? `${spec.name}-webhook` : undefined;
  const args = containerArgs(spec, port, leaseName, webhookService);
  const crds = spec.crds ?? [];
  const rbac = deriveRbac({
    description,
    crds,
    leaderElection: leaseName ? { namespace: spec.namespace, leaseName } : false,
    ...(webhookService
      ? { webhooks: { namespace: spec.namespace, configurationName: spec.name, certSecret: `${spec.name}-webhook-cert` } }
      : {}),
  });
  const header = ` Generated by \`capstan generate\` (capstan ${options.version}) from ${options.source}: do not edit;\n change the operator and generate again.`;
  const labels = { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/managed-by': 'capstan' };
  const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), labels });
  const subject = { kind: 'ServiceAccount', name: spec.name, namespace: spec.namespace };
  const files: Record<string, string> = {};
  const resources: string[] = [];
  const write = (file: string, docs: YamlDocument[]) => {
    if (!docs.length) return;
    files[file] = renderYaml(docs, header);
    resources.push(file);
  };

  write(
    'crd.yaml',
    crds.map((crd) => ({ body: crd })),
  );
  if (spec.createNamespace !== false)
    write('namespace.yaml', [{ body: { apiVersion: 'v1', kind: 'Namespace', metadata: meta(spec.namespace) } }]);
  write('service-account.yaml', [{ body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(spec.name, spec.namespace) } }]);
  const rbacGroup = 'rbac.authorization.k8s.io';
  const ruleDocs = (rules: ExplainedRule[]) => ({
    rules: rules.map((r) => r.rule),
    comments: Object.fromEntries(rules.map((r, i) => [`rules.${i}`, commentOf(r)])),
  });
  if (rbac.cluster.length) {
    const { rules, comments } = ruleDocs(rbac.cluster);
    write('cluster-role.yaml', [
      { body: { apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole', metadata: meta(spec.name), rules }, comments, flowLists: true },
      {
        body: {
          apiVersion: `${rbacGroup}/v1`,
          kind: 'ClusterRoleBinding',
          metadata: meta(spec.name),
          roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: spec.name },
          subjects: [subject],
        },
        flowLists: true,
      },
    ]);
  }
  write(
    'role.yaml',
    rbac.namespaced.flatMap(({ namespace, rules: explained }) => {
      const { rules, comments } = ruleDocs(explained);
      return [
        { body: { apiVersion: `${rbacGroup}/v1`, kind: 'Role', metadata: meta(spec.name, namespace), rules }, comments, flowLists: true },
        {
          body: {
            apiVersion: `${rbacGroup}/v1`,
            kind: 'RoleBinding',
            metadata: meta(spec.name, namespace),
            roleRef: { apiGroup: rbacGroup, kind: 'Role', name: spec.name },
            subjects: [subject],
          },
          flowLists: true,
        },
      ];
    }),
  );
  if (webhookService) {
    write('webhook-service.yaml', [
      {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: meta(webhookService, spec.namespace),
          spec: {
            selector: { 'app.kubernetes.io/name': spec.name },
            ports: [{ name: 'webhook', port: 443, targetPort: 'webhook' }],
          },
        },
      },
    ]);
  }
  write('deployment.yaml', [
    {
      body: operatorDeployment({
        name: spec.name,
        namespace: spec.namespace,
        image: spec.image,
        args,
        port,
        labels,
        replicas: spec.replicas ?? 1,
        ...(spec.resources ? { resources: spec.resources } : {}),
        env: spec.env ?? {},
        ...(webhookService ? { webhookPort: 9443 } : {}),
      }),
    },
  ]);
  // kustomize's namespace transformer would move Roles meant for other namespaces: set it only when all share one.
  const onlyOwnNamespace = rbac.namespaced.every((n) => n.namespace === spec.namespace);
  files['kustomization.yaml'] = renderYaml(
    [
      {
        body: {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          ...(onlyOwnNamespace ? { namespace: spec.namespace } : {}),
          resources,
          ...spec.kustomization,
        },
      },
    ],
    `${header}\n Install: kubectl apply -k <this directory>${(spec.notes ?? []).map((n) => `\n ${n}`).join('')}`,
  );
  return { files, description, rbac };
}
