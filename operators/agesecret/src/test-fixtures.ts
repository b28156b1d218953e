// Helpers of the cluster tests (not shipped): CRD install, namespaces, key Secrets, waiting on conditions/Events.
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ConflictError, NotFoundError, type KubeClient, type KubeObject } from 'capstan';
import { deleteNamespace, runOperatorInProcess, uniqueNamespace, waitUntil, type RunningOperator } from 'capstan/testing';
import { createAgeSecretOperator, type AgeSecretOperatorOptions } from './operator.js';
import { encryptValue } from './crypto/age.js';
import { AGESECRETS, ageSecretCrd, GROUP, PLURAL, VERSION, type AgeSecret, type AgeSecretSpec, type Condition } from './resource.js';

export { AGESECRETS };
export const SECRETS = { version: 'v1', plural: 'secrets' } as const;
export const NAMESPACES = { version: 'v1', plural: 'namespaces' } as const;
export const EVENTS = { version: 'v1', plural: 'events' } as const;
export const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;

export type SecretObject = KubeObject & { type?: string; data?: Record<string, string> };
export type AgeSecretObject = AgeSecret & KubeObject;

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
export const b64 = (s: string) => Buffer.from(s).toString('base64');
export const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** Polls until `check` returns a value (capstan/testing's waitUntil, with a generous default for 2-core machines). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  return waitUntil(check, { timeoutMs, intervalMs: 200, message: what }) as Promise<T>;
}

/** Installs (or updates) the CRD and waits until it is Established. */
export async function installCrd(client: KubeClient): Promise<void> {
  await client.apply(CRDS, JSON.parse(JSON.stringify(ageSecretCrd)), { force: true, fieldManager: 'agesecret-tests' });
  await eventually('CRD established', async () => {
    const crd = await client.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(CRDS, {
      name: `${PLURAL}.${GROUP}`,
    });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
}

export const createNamespace = (client: KubeClient, prefix: string): Promise<string> => uniqueNamespace(client, prefix);

export async function deleteNamespaces(client: KubeClient, names: string[]): Promise<void> {
  await Promise.all(names.map((name) => deleteNamespace(client, name).catch(() => undefined)));
}

/** A key Secret as the seed makes it: stringData.secretKey holds the identity (file). */
export async function putKeySecret(client: KubeClient, namespace: string, name: string, identities: string): Promise<void> {
  const body = { metadata: { name, namespace }, stringData: { secretKey: identities } } as unknown as KubeObject;
  try {
    await client.create(SECRETS, body, { namespace });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    await client.patch(SECRETS, { namespace, name }, { data: { secretKey: b64(identities) } });
  }
}

export function ageSecret(namespace: string, name: string, spec: AgeSecretSpec): AgeSecretObject {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'AgeSecret', metadata: { name, namespace }, spec };
}

export const encryptFor = (recipients: string[], value: string | Uint8Array, bind?: { namespace: string; name?: string }) =>
  encryptValue(value, { recipients, ...(bind ? { bind } : {}) });

export async function readyOf(client: KubeClient, namespace: string, name: string): Promise<Condition | undefined> {
  const obj = await client.get<AgeSecretObject>(AGESECRETS, { namespace, name });
  return obj.status?.conditions?.find((c) => c.type === 'Ready' && c.observedGeneration === obj.metadata.generation);
}

/** Waits for Ready with the given status (and reason), for the current generation. */
export async function waitReady(
  client: KubeClient,
  namespace: string,
  name: string,
  status: 'True' | 'False',
  reason?: string,
  timeoutMs?: number,
): Promise<Condition> {
  return eventually(
    `${namespace}/${name} Ready=${status}${reason ? ` ${reason}` : ''}`,
    async () => {
      const c = await readyOf(client, namespace, name);
      return c && c.status === status && (!reason || c.reason === reason) ? c : undefined;
    },
    timeoutMs,
  );
}

export async function secretOf(client: KubeClient, namespace: string, name: string): Promise<SecretObject | undefined> {
  return client.tryGet<SecretObject>(SECRETS, { namespace, name });
}

export async function waitSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  check: (s: SecretObject) => boolean,
): Promise<SecretObject> {
  return eventually(`Secret ${namespace}/${name}`, async () => {
    const s = await secretOf(client, namespace, name);
    return s && check(s) ? s : undefined;
  });
}

export async function waitGone(
  client: KubeClient,
  ref: typeof SECRETS | typeof AGESECRETS,
  namespace: string,
  name: string,
): Promise<void> {
  await eventually(`${namespace}/${name} gone`, async () => {
    try {
      await client.get(ref, { namespace, name });
      return undefined;
    } catch (error) {
      return error instanceof NotFoundError ? true : undefined;
    }
  });
}

export interface EventObject extends KubeObject {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { name?: string; kind?: string };
}

export async function eventsFor(client: KubeClient, namespace: string, name: string): Promise<EventObject[]> {
  const list = await client.list<EventObject>(EVENTS, { namespace });
  return list.items.filter((e) => e.involvedObject?.name === name && e.involvedObject.kind === 'AgeSecret');
}

export async function waitEvent(client: KubeClient, namespace: string, name: string, reason: string): Promise<EventObject> {
  return eventually(`Event ${reason} on ${namespace}/${name}`, async () =>
    (await eventsFor(client, namespace, name)).find((e) => e.reason === reason),
  );
}

/** One namespace with the CRD installed and an operator serving only it (in-process, debug logs kept). */
export interface OperatorNamespace {
  client: ApiClient;
  namespace: string;
  kubeconfigPath: string;
  running: RunningOperator;
  /** Stops the operator and starts a fresh one (a process restart: nothing in memory survives), `options` overriding. */
  restart(options?: Partial<AgeSecretOperatorOptions>): Promise<void>;
  /** Stops the operator, deletes the namespace, closes the client. */
  close(): Promise<void>;
}

/** Starts the operator on a fresh namespace named `prefix-...`, with test backoff and the given options. */
export async function operatorNamespace(prefix: string, options: Partial<AgeSecretOperatorOptions> = {}): Promise<OperatorNamespace> {
  const cluster = await useTestCluster();
  const client = await ApiClient.create(cluster.kubeconfigPath);
  await installCrd(client);
  const namespace = await createNamespace(client, prefix);
  const start = (overrides: Partial<AgeSecretOperatorOptions>) =>
    runOperatorInProcess(
      (settings) =>
        createAgeSecretOperator({
          kubeconfig: settings.kubeconfigPath,
          logger: settings.logger,
          namespaces: [namespace],
          backoff: { baseMs: 200, capMs: 2000 },
          ...options,
          ...overrides,
        }).operator,
      { kubeconfigPath: cluster.kubeconfigPath, namespaces: [namespace] },
    );
  const env: OperatorNamespace = {
    client,
    namespace,
    kubeconfigPath: cluster.kubeconfigPath,
    running: await start({}),
    async restart(overrides = {}) {
      await env.running.stop();
      env.running = await start(overrides);
    },
    async close() {
      await env.running.stop();
      await deleteNamespaces(client, [namespace]);
      client.close();
    },
  };
  return env;
}
