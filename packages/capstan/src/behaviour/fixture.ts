// Shared set-up of capstan's behaviour tests: the cluster, a namespace, a test CRD, and operators with counters.
import type { TestContext } from 'node:test';
import { useTestCluster } from '@capstan/localcluster';
import {
  ApiClient,
  ConflictError,
  createOperator,
  type KubeObject,
  type Operator,
  type OperatorHooks,
  type OperatorSettings,
} from '../index.js';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitUntil, type RunningOperator } from '../testing/index.js';

export const widgets = { group: 'behaviour.capstan.dev', version: 'v1', plural: 'widgets' } as const;
export const configMaps = { version: 'v1', plural: 'configmaps' } as const;

export type Widget = KubeObject<{ n?: number; text?: string; [k: string]: unknown }, Record<string, unknown>>;

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.behaviour.capstan.dev' },
  spec: {
    group: 'behaviour.capstan.dev',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

/** Install the Widget CRD once (test files run in parallel: a 409 from another file is fine). */
export async function ensureWidgetCrd(client: ApiClient): Promise<void> {
  const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
  try {
    await client.create(crds, crd as unknown as KubeObject);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  await waitUntil(
    async () => {
      const got = await client.get<KubeObject<unknown, { conditions?: { type: string; status: string }[] }>>(crds, {
        name: crd.metadata.name,
      });
      if (!got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
      await client.list(widgets, { namespace: 'default' });
      return true;
    },
    { message: 'the Widget CRD to be served' },
  );
}

export interface Counters {
  writes: number;
  processed: { name: string; resourceVersion: string | undefined; writes: number }[];
  watchRestarts: string[];
}

export interface Harness {
  kubeconfigPath: string;
  client: ApiClient;
  ns: string;
  /** Build and run an operator in the test namespace; stopped after the test. */
  start(register: (op: Operator) => void, settings?: Partial<OperatorSettings>): Promise<RunningOperator & { counters: Counters }>;
  /** Wait until a round at the object's current resourceVersion wrote nothing (the operator saw its own last write and is done). */
  settled(running: { counters: Counters }, resource: typeof widgets | typeof configMaps, name: string): Promise<KubeObject>;
}

export async function harness(t: TestContext, prefix: string, options: { crd?: boolean } = {}): Promise<Harness> {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  if (options.crd) await ensureWidgetCrd(client);
  const ns = await uniqueNamespace(client, prefix);
  t.after(async () => {
    await deleteNamespace(client, ns);
    client.close();
  });
  return {
    kubeconfigPath: cluster.kubeconfigPath,
    client,
    ns,
    async start(register, settings = {}) {
      const counters: Counters = { writes: 0, processed: [], watchRestarts: [] };
      const hooks: OperatorHooks = {
        ...settings.hooks,
        patch: () => void counters.writes++,
        processed: (info) => void counters.processed.push({ name: info.name, resourceVersion: info.resourceVersion, writes: info.writes }),
        watchRestart: (info) => void counters.watchRestarts.push(info.reason),
      };
      const op = createOperator({ name: `test-${prefix}`, events: false, ...settings, hooks });
      register(op);
      const running = await runOperatorInProcess(op, { kubeconfigPath: cluster.kubeconfigPath, namespaces: settings.namespaces ?? [ns] });
      t.after(() => running.stop());
      return Object.assign(running, { counters });
    },
    async settled(running, resource, name) {
      let obj: KubeObject | undefined;
      await waitUntil(
        async () => {
          obj = await client.get(resource, { namespace: ns, name });
          const rv = obj.metadata.resourceVersion;
          return running.counters.processed.some((p) => p.name === name && p.resourceVersion === rv && p.writes === 0);
        },
        { message: `${name} processed at its latest version` },
      );
      return obj!;
    },
  };
}
