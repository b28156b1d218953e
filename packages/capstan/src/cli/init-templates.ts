// The files `capstan init` writes: a standalone operator project on the published packages (kept small, each one its own).

export interface InitOptions {
  /** npm package name and operator name (a DNS label). */
  name: string;
  /** API group of the custom resource. */
  group: string;
  /** The custom resource's kind (CamelCase). */
  kind: string;
  /** The capstan version to depend on. */
  version: string;
}

const plural = (kind: string) => `${kind.toLowerCase()}s`;

export function projectFiles(o: InitOptions): Record<string, string> {
  const p = plural(o.kind);
  const resourceConst = `${o.kind}s`;
  return {
    'package.json': `${JSON.stringify(
      {
        name: o.name,
        version: '0.1.0',
        private: true,
        type: 'module',
        engines: { node: '>=20.19' },
        scripts: {
          test: 'node --import tsx --test src/*.test.ts',
          typecheck: 'tsc --noEmit',
          build: 'tsc -p tsconfig.build.json',
          dev: 'node --import tsx node_modules/capstan/bin/capstan.mjs dev src/main.ts',
          manifests: 'node --import tsx node_modules/capstan/bin/capstan.mjs generate src/install.ts -o deploy',
          start: 'node dist/main.js',
        },
        dependencies: { capstan: `^${o.version}` },
        devDependencies: { '@capstan/localcluster': `^${o.version}`, '@types/node': '^22.0.0', tsx: '^4.19.0', typescript: '^5.6.0' },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          verbatimModuleSyntax: true,
          outDir: 'dist',
          rootDir: 'src',
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
    'tsconfig.build.json': `${JSON.stringify({ extends: './tsconfig.json', exclude: ['src/**/*.test.ts'] }, null, 2)}\n`,
    '.gitignore': 'node_modules/\ndist/\n',
    'src/resource.ts': `// The ${o.kind} custom resource: one schema gives the TypeScript type and the CRD (\`npm run manifests\`).
import { defineCustomResource, s, type ObjectOf } from 'capstan';

export const ${resourceConst} = defineCustomResource({
  group: '${o.group}',
  version: 'v1',
  kind: '${o.kind}',
  plural: '${p}',
  description: 'A ${o.kind}: the operator writes its message to a ConfigMap it owns.',
  spec: s.object({
    message: s.string({ description: 'What to write to the ConfigMap.', minLength: 1 }),
  }),
  status: s.optional(
    s.object({
      observedGeneration: s.optional(s.integer({ description: 'The generation last reconciled.' })),
      conditions: s.optional(s.conditions({ description: 'Ready says whether the ConfigMap is up to date.' })),
    }),
  ),
  printerColumns: [{ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }],
});

export type ${o.kind} = ObjectOf<typeof ${resourceConst}>;
`,
    'src/operator.ts': `// The ${o.name} operator: each ${o.kind} gets a ConfigMap it owns (garbage collection removes it with the ${o.kind}).
import { adopt, applyChild, createOperator, setCondition, type CliSettings, type KubeObject, type Operator } from 'capstan';
import { ${resourceConst}, type ${o.kind} } from './resource.js';

export const OPERATOR_NAME = '${o.name}';
const configMaps = { version: 'v1', plural: 'configmaps' } as const;

export function create${o.kind}Operator(settings: Partial<CliSettings> = {}): Operator {
  const op = createOperator({ name: OPERATOR_NAME, ...(settings.logger ? { logger: settings.logger } : {}) });
  const objects = op.resource<${o.kind}>(${resourceConst}.ref);
  objects.reconcile({
    async apply(ctx) {
      const child = adopt(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: \`\${ctx.name}-message\` }, data: { message: ctx.spec.message } } as KubeObject,
        ctx.body as ${o.kind},
      );
      // Server-side apply: no write when the ConfigMap already matches; drift is taken back.
      await applyChild(ctx.client, child, { fieldManager: OPERATOR_NAME });
      ctx.patch.status.observedGeneration = ctx.meta.generation;
      ctx.patch.status.conditions = setCondition(ctx.status?.conditions, {
        type: 'Ready',
        status: true,
        reason: 'Written',
        message: \`ConfigMap \${ctx.name}-message is up to date\`,
        observedGeneration: ctx.meta.generation,
      });
    },
  });
  // A change to the ConfigMap (someone edited it) runs the reconciler of its owner again.
  objects.owns(op.resource(configMaps));
  // What handlers do through ctx.client is invisible to capstan: declare it, and \`npm run manifests\` grants it.
  op.uses(configMaps, ['create', 'patch'], {
    why: 'applyChild: server-side apply (a PATCH) of the ConfigMap each ${o.kind} owns; create: when that apply creates it',
  });
  return op;
}
`,
    'src/main.ts': `// What \`capstan run src/main.ts\` (npm run dev) and the image run: the operator, given the CLI's settings.
import type { CliSettings } from 'capstan';
import { create${o.kind}Operator } from './operator.js';

// Re-exported so that \`capstan dev\` (and \`capstan crd\`) find the custom resource and apply its CRD.
export { ${resourceConst} } from './resource.js';

export default (settings: CliSettings) => create${o.kind}Operator(settings);
`,
    'src/install.ts': `// How the operator is deployed: \`npm run manifests\` (capstan generate) writes deploy/ from it.
import { defineInstall } from 'capstan/manifests';
import { create${o.kind}Operator, OPERATOR_NAME } from './operator.js';
import { ${resourceConst} } from './resource.js';

export const install = defineInstall({
  name: OPERATOR_NAME,
  namespace: '${o.name}-system',
  image: '${o.name}:latest',
  args: ['--all-namespaces'],
  crds: [${resourceConst}.crd],
  // The operator as the Deployment runs it: its resources and op.uses(...) declarations become the RBAC.
  operator: () => create${o.kind}Operator(),
});
`,
    'src/operator.test.ts': `// The operator against a real local Kubernetes (started by @capstan/localcluster, or $CAPSTAN_TEST_KUBECONFIG's),
// running as its ServiceAccount with only the RBAC \`npm run manifests\` generates: enough, and no more.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster, type ClusterHandle } from '@capstan/localcluster';
import { ApiClient, isTrue, type KubeObject } from 'capstan';
import {
  applyGeneratedRbac,
  deleteNamespace,
  describeUnused,
  rbacCoverage,
  runOperatorInProcess,
  uniqueNamespace,
  waitFor,
  waitUntil,
  type AppliedRbac,
  type RunningOperator,
} from 'capstan/testing';
import { install } from './install.js';
import { ${resourceConst}, type ${o.kind} } from './resource.js';

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
let cluster: ClusterHandle;
let client: ApiClient;
let namespace: string;
let system: string;
let rbac: AppliedRbac;
let running: RunningOperator;

before(async () => {
  cluster = await useTestCluster();
  client = await ApiClient.create({ path: cluster.kubeconfigPath });
  await client.apply(crds, ${resourceConst}.crd as unknown as KubeObject, { force: true, fieldManager: 'tests' });
  await waitUntil(async () => (await client.list(${resourceConst}.ref, { namespace: 'default' })) && true, { message: 'the CRD served' });
  [namespace, system] = await Promise.all([uniqueNamespace(client, 'test'), uniqueNamespace(client, 'test-system')]);
  // The generated ServiceAccount and roles, in a namespace of this test; the operator runs as that account.
  rbac = await applyGeneratedRbac({ client, install, namespace: system });
  running = await runOperatorInProcess(await install.operator({ namespace: system, args: [] }), {
    kubeconfigPath: await cluster.serviceAccountKubeconfig(system, rbac.serviceAccount.name),
    namespaces: [namespace],
    // Leader election as deployed, renewing often so that the test sees the Lease renewed too.
    leaderElection: { namespace: system, leaseName: install.name, leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 },
  });
});

after(async () => {
  await running?.stop();
  await Promise.all([deleteNamespace(client, namespace), deleteNamespace(client, system)]);
  await rbac?.remove();
  client.close();
});

test('a ${o.kind} gets its ConfigMap and Ready=True', async () => {
  await client.create(${resourceConst}.ref, ${resourceConst}.build({ metadata: { name: 'hello', namespace }, spec: { message: 'hi' } }));
  const ready = await waitFor<${o.kind}>(client, { resource: ${resourceConst}.ref, namespace, name: 'hello' }, (o) => isTrue(o?.status?.conditions, 'Ready'));
  assert.equal(ready?.status?.observedGeneration, 1);
  const configMap = await client.get<KubeObject & { data?: Record<string, string> }>({ version: 'v1', plural: 'configmaps' }, { namespace, name: 'hello-message' });
  assert.equal(configMap.data?.['message'], 'hi');
});

test('the generated RBAC was enough (nothing refused) and no more (every grant used)', async (t) => {
  if (!cluster.auditLogPath) return t.skip('this cluster has no audit log to read');
  const coverage = await rbacCoverage(cluster.auditLogPath!, rbac);
  assert.deepEqual(coverage.forbidden, [], 'requests refused: declare them with op.uses(...) and run npm run manifests');
  assert.deepEqual(describeUnused(coverage), [], 'grants never used');
});
`,
    Dockerfile: `# syntax=docker/dockerfile:1
# The ${o.name} image: built with TypeScript, run as non-root on Node 24 (docker buildx bake).
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npm run build && npm prune --omit=dev

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
EXPOSE 8080
# The Deployment (deploy/deployment.yaml, from \`npm run manifests\`) adds the flags: namespaces, probes' port, Lease.
ENTRYPOINT ["/nodejs/bin/node", "node_modules/capstan/bin/capstan.mjs", "run", "dist/main.js"]
`,
    'docker-bake.hcl': `// docker buildx bake: the operator image.
variable "TAG" { default = "latest" }
target "default" {
  context = "."
  tags = ["${o.name}:\${TAG}"]
}
`,
    'README.md': `# ${o.name}

A Kubernetes operator written with [capstan](https://www.npmjs.com/package/capstan): each \`${o.kind}\`
(\`${o.group}/v1\`) gets a ConfigMap holding its message, owned by it, with a \`Ready\` condition.

## Two commands

\`\`\`sh
npm test        # the operator against a real local Kubernetes (built once, then started in seconds)
npm run dev     # the local cluster (started once), the CRD applied, the operator restarted on every change
\`\`\`

The first \`npm test\` builds the local control plane from Go modules (Go >= 1.26, about 9 minutes, cached
under ~/.cache/capstan). With \`CAPSTAN_TEST_KUBECONFIG\` set, the tests use that cluster instead.

- \`npm run manifests\` writes \`deploy/\` from \`src/install.ts\`: the CRD, a ServiceAccount, RBAC derived from
  what the operator declares (\`kubectl apply -k deploy\` installs it all). The RBAC is least privilege: the
  test runs the operator as that ServiceAccount and fails if a request is refused or a granted verb goes unused.
- \`npm run build\` compiles to \`dist/\`; \`docker buildx bake\` builds the image (non-root, Node 24).
- \`src/operator.ts\` is the reconciler; \`src/resource.ts\` the schema; \`src/install.ts\` how it is deployed;
  \`src/operator.test.ts\` the test.
`,
  };
}
