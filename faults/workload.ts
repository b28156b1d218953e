// What the fault tests write: namespaces with an age key Secret, AgeSecrets with known values, labelled legacy pods.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { encryptValue, generateKeyPair } from '@capstan/agesecret';
import { ApiClient, ConflictError, ForbiddenError, InvalidError, NotFoundError, type KubeObject } from 'capstan';

export const AGESECRETS = { group: 'pyvo.io', version: 'v1', plural: 'agesecrets' } as const;
export const SECRETS = { version: 'v1', plural: 'secrets' } as const;
export const NAMESPACES = { version: 'v1', plural: 'namespaces' } as const;
export const PODS = { version: 'v1', plural: 'pods' } as const;
export const EVENTS = { version: 'v1', plural: 'events' } as const;
export const KEY_SECRET = 'namespace-secret';
export const KEY_FIELD = 'secretKey';

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
export const b64 = (s: string) => Buffer.from(s).toString('base64');

export interface Keys {
  identity: string;
  recipient: string;
}

/** What the test declared for one AgeSecret: the Secret it must end up with (or none when deleted). */
export interface Declared {
  namespace: string;
  name: string;
  secretName: string;
  key: string;
  value: string;
  deleted?: boolean;
}

export async function createNamespaceWithKey(client: ApiClient, prefix: string, keys: Keys): Promise<string> {
  const namespace = uniqueName(prefix);
  await retrying(() => client.create(NAMESPACES, { metadata: { name: namespace, labels: { 'capstan.dev/test': 'faults' } } }));
  await retrying(() =>
    client.create(
      SECRETS,
      { metadata: { name: KEY_SECRET, namespace }, stringData: { [KEY_FIELD]: keys.identity } } as unknown as KubeObject,
      { namespace },
    ),
  );
  return namespace;
}

export const newKeys = (): Promise<Keys> => generateKeyPair();

/** A value carrying a marker the hygiene checks look for. */
export const secretValue = (marker: string, i: number) => `${marker}-${i}-${randomBytes(6).toString('hex')}`;

export async function ageSecretBody(d: Declared, keys: Keys, bind?: { namespace: string; name?: string }): Promise<KubeObject> {
  return ageSecretFor(d, [keys.recipient], KEY_SECRET, bind);
}

/** The AgeSecret of `d`, its value encrypted for these recipients, naming the key Secret `keySecret`. */
export async function ageSecretFor(
  d: Declared,
  recipients: string[],
  keySecret: string,
  bind?: { namespace: string; name?: string },
): Promise<KubeObject> {
  const secret = await encryptValue(d.value, { recipients, ...(bind ? { bind } : {}) });
  return {
    apiVersion: 'pyvo.io/v1',
    kind: 'AgeSecret',
    metadata: { name: d.name, namespace: d.namespace },
    spec: { secretName: d.secretName, secretKey: d.key, ageSecretRef: keySecret, secret },
  } as KubeObject;
}

export function declare(namespace: string, count: number, marker: string, start = 0): Declared[] {
  return Array.from({ length: count }, (_, j) => {
    const i = start + j;
    return { namespace, name: `as-${i}`, secretName: `s-${i}`, key: 'value', value: secretValue(marker, i) };
  });
}

/**
 * Retries a write through API server outages (connection refused, timeouts, 5xx) until it lands; an
 * AlreadyExists/NotFound after a retry means an earlier attempt landed. Refused requests are not retried.
 */
export async function retrying<T>(write: () => Promise<T>, options: { timeoutMs?: number; what?: string } = {}): Promise<T | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (error instanceof InvalidError || error instanceof ForbiddenError) throw error;
      if (error instanceof ConflictError && (attempt > 0 || error.reason === 'AlreadyExists')) return undefined;
      if (error instanceof NotFoundError && attempt > 0) return undefined;
      if (Date.now() > deadline)
        throw new Error(`${options.what ?? 'a write'} did not land in ${options.timeoutMs ?? 300_000} ms`, { cause: error });
      await delay(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)));
    }
  }
}

/** Gives the AgeSecrets new values (new ciphertexts), one merge patch each through `client`, retried through outages. */
export async function updateValues(client: ApiClient, which: Declared[], keys: Keys, marker: string): Promise<void> {
  for (const d of which) {
    d.value = secretValue(marker, 0);
    const body = await ageSecretBody(d, keys);
    await retrying(() =>
      client.patch(AGESECRETS, { namespace: d.namespace, name: d.name }, { spec: body['spec' as keyof KubeObject] }, { type: 'merge' }),
    );
  }
}

/** Creates the objects with bounded parallelism; `onCreated(n)` after each, e.g. to inject a fault mid-burst. */
export async function burst(
  client: ApiClient,
  bodies: KubeObject[],
  options: { parallel?: number; onCreated?: (n: number) => void } = {},
): Promise<void> {
  let next = 0;
  let created = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      await retrying(() => client.create(AGESECRETS, body, { namespace: body.metadata.namespace }), {
        what: `create ${body.metadata.namespace}/${body.metadata.name}`,
      });
      options.onCreated?.(++created);
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 8 }, worker));
}

/** A legacy-mock pod opted in to the handshake (label + readiness gate), run by the kubelet simulator. */
export function legacyPod(
  namespace: string,
  name: string,
  options: { annotations?: Record<string, string>; env?: Record<string, string> } = {},
): KubeObject {
  const env = Object.entries({ PORT: '3000', ...options.env }).map(([k, value]) => ({ name: k, value }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'legacy-mock', 'secret-handshake': 'true' }, annotations: options.annotations ?? {} },
    spec: {
      automountServiceAccountToken: false,
      readinessGates: [{ conditionType: 'secret-handshake.pyvo.io/done' }],
      containers: [{ name: 'legacy-mock', image: 'legacy-mock', env, ports: [{ name: 'http', containerPort: 3000 }] }],
    },
  } as unknown as KubeObject;
}

export async function createPlainNamespace(client: ApiClient, prefix: string): Promise<string> {
  const namespace = uniqueName(prefix);
  await retrying(() => client.create(NAMESPACES, { metadata: { name: namespace, labels: { 'capstan.dev/test': 'faults' } } }));
  return namespace;
}

export const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments' } as const;
export const ROLLOUT_ON_CHANGE = 'age-secret.pyvo.io/rollout-on-change';
/** The pod-template annotation `--rollouts` writes for a Secret (names up to 51 characters). */
export const secretHashAnnotation = (secretName: string) => `age-secret.pyvo.io/secret-hash-${secretName}`;

/** A Deployment of no replicas (its template is what rolls) using `secretName` in an env var, opted in or not. */
export function deploymentUsing(namespace: string, name: string, secretName: string | undefined, optIn = true): KubeObject {
  const env = secretName ? [{ name: 'V', valueFrom: { secretKeyRef: { name: secretName, key: 'value' } } }] : [];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(optIn ? { annotations: { [ROLLOUT_ON_CHANGE]: 'true' } } : {}) },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'app:1', env }] } },
    },
  } as unknown as KubeObject;
}
