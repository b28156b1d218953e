// Helpers of the cluster tests (not shipped: excluded from the build): namespaces, pods, waiting, Events.
import { randomBytes } from 'node:crypto';
import type { KubeClient, KubeObject } from 'capstan';
import { deleteNamespace, uniqueNamespace, waitUntil } from 'capstan/testing';
import type { Pod } from './kube-types.js';

export const PODS = { version: 'v1', plural: 'pods' } as const;
export const SECRETS = { version: 'v1', plural: 'secrets' } as const;
export const EVENTS = { version: 'v1', plural: 'events' } as const;
export const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments' } as const;
export const GATE = 'secret-handshake.pyvo.io/done';

export type PodObject = KubeObject & Pod;

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** A throw-away namespace (capstan/testing's, labelled for clean-up). */
export function createNamespace(client: KubeClient, prefix: string): Promise<string> {
  return uniqueNamespace(client, prefix);
}

export async function deleteNamespaces(client: KubeClient, names: string[]): Promise<void> {
  await Promise.all(names.map((name) => deleteNamespace(client, name).catch(() => undefined)));
}

export async function createSuffixSecret(client: KubeClient, namespace: string, name: string, suffix: string): Promise<void> {
  await client.create(SECRETS, { metadata: { name, namespace }, stringData: { suffix } } as unknown as KubeObject);
}

/** Waits (polling, with a timeout) until `check` returns a value; capstan/testing's waitUntil with a description first. */
export function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  return waitUntil(check, { message: what, timeoutMs: options.timeoutMs ?? 60_000, intervalMs: options.intervalMs ?? 250 });
}

export async function getPod(client: KubeClient, namespace: string, name: string): Promise<PodObject> {
  return client.get<PodObject>(PODS, { namespace, name });
}

/** Waits until the pod is annotated done at the given restart count; returns it. */
export function waitHandshaken(
  client: KubeClient,
  namespace: string,
  name: string,
  restartCount = 0,
  timeoutMs = 60_000,
): Promise<PodObject> {
  return eventually(
    `${namespace}/${name} handshaken at restart count ${restartCount}`,
    async () => {
      const pod = await getPod(client, namespace, name);
      const a = pod.metadata.annotations ?? {};
      return a['secret-handshake-done'] === 'true' && a['secret-handshake.pyvo.io/restart-count'] === String(restartCount)
        ? pod
        : undefined;
    },
    { timeoutMs },
  );
}

export function conditionOf(pod: Pod, type: string): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === type)?.status;
}

export interface CoreEvent extends KubeObject {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
}

export async function eventsOf(client: KubeClient, namespace: string, name: string): Promise<CoreEvent[]> {
  const list = await client.list<CoreEvent>(EVENTS, { namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

/** A pod spec for the legacy-mock image, labelled and gated unless told otherwise. */
export function legacyPod(
  name: string,
  options: {
    labelled?: boolean;
    gated?: boolean;
    annotations?: Record<string, string>;
    env?: Record<string, string>;
    nodeName?: string;
  } = {},
): PodObject {
  return {
    metadata: {
      name,
      labels: { app: 'legacy-mock', ...(options.labelled === false ? {} : { 'secret-handshake': 'true' }) },
      annotations: options.annotations ?? {},
    },
    spec: {
      // Bound to a node no kubelet serves (and tolerating its taints), the pod is left to the test.
      ...(options.nodeName ? { nodeName: options.nodeName, tolerations: [{ operator: 'Exists' }] } : {}),
      containers: [
        {
          name: 'app',
          image: 'legacy-mock',
          ports: [{ name: 'http', containerPort: 3000 }],
          env: Object.entries(options.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
        },
      ],
      ...(options.gated === false ? {} : { readinessGates: [{ conditionType: GATE }] }),
    },
  } as unknown as PodObject;
}

export const NODES = { version: 'v1', plural: 'nodes' } as const;

/**
 * A Node no kubelet serves: pods bound to it are ignored by the kubelet simulator, and its existence keeps
 * the pod garbage collector from deleting them as orphans.
 */
export async function createFakeNode(client: KubeClient): Promise<string> {
  const name = uniqueName('handshake-fake-node');
  await client.create(NODES, { metadata: { name, labels: { 'capstan.dev/test': 'legacy-handshake' } } });
  return name;
}

/**
 * Plays the kubelet for a pod that no kubelet runs: Running on 127.0.0.1 with the given restart count.
 * Used where the legacy process is an in-process legacy-mock on its own port (port annotation).
 */
export async function fakeRunning(client: KubeClient, namespace: string, name: string, restartCount: number): Promise<void> {
  const now = new Date().toISOString();
  await client.patchStatus(
    PODS,
    { namespace, name },
    {
      status: {
        phase: 'Running',
        podIP: '127.0.0.1',
        podIPs: [{ ip: '127.0.0.1' }],
        startTime: now,
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            started: true,
            restartCount,
            image: 'legacy-mock',
            imageID: 'legacy-mock',
            state: { running: { startedAt: now } },
          },
        ],
      },
    },
    { type: 'merge' },
  );
}
