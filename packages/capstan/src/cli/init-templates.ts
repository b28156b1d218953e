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
          manifests: 'node --import tsx node_modules/capstan/bin/capstan.mjs crd src/resource.ts --out deploy/crd.yaml',
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
    'src/operator.test.ts': `// The operator against a real local Kubernetes (started by @capstan/localcluster, or $CAPSTAN_TEST_KUBECONFIG's).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, isTrue, type KubeObject } from 'capstan';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitFor, waitUntil, type RunningOperator } from 'capstan/testing';
import { create${o.kind}Operator } from './operator.js';
import { ${resourceConst}, type ${o.kind} } from './resource.js';

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
let client: ApiClient;
let namespace: string;
let running: RunningOperator;

before(async () => {
  const cluster = await useTestCluster();
  client = await ApiClient.create({ path: cluster.kubeconfigPath });
  await client.apply(crds, ${resourceConst}.crd as unknown as KubeObject, { force: true, fieldManager: 'tests' });
  await waitUntil(async () => (await client.list(${resourceConst}.ref, { namespace: 'default' })) && true, { message: 'the CRD served' });
  namespace = await uniqueNamespace(client, 'test');
  running = await runOperatorInProcess(create${o.kind}Operator, { kubeconfigPath: cluster.kubeconfigPath, namespaces: [namespace] });
});

after(async () => {
  await running?.stop();
  await deleteNamespace(client, namespace);
  client.close();
});

test('a ${o.kind} gets its ConfigMap and Ready=True', async () => {
  await client.create(${resourceConst}.ref, ${resourceConst}.build({ metadata: { name: 'hello', namespace }, spec: { message: 'hi' } }));
  const ready = await waitFor<${o.kind}>(client, { resource: ${resourceConst}.ref, namespace, name: 'hello' }, (o) => isTrue(o?.status?.conditions, 'Ready'));
  assert.equal(ready?.status?.observedGeneration, 1);
  const configMap = await client.get<KubeObject & { data?: Record<string, string> }>({ version: 'v1', plural: 'configmaps' }, { namespace, name: 'hello-message' });
  assert.equal(configMap.data?.['message'], 'hi');
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
ENTRYPOINT ["/nodejs/bin/node", "node_modules/capstan/bin/capstan.mjs", "run", "dist/main.js", "--health-port", "8080"]
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

- \`npm run manifests\` writes \`deploy/crd.yaml\` from \`src/resource.ts\`.
- \`npm run build\` compiles to \`dist/\`; \`docker buildx bake\` builds the image (non-root, Node 24).
- \`src/operator.ts\` is the reconciler; \`src/resource.ts\` the schema; \`src/operator.test.ts\` the test.
`,
  };
}
