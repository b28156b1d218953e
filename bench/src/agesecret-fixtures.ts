// AgeSecret set-up shared by the AgeSecret workloads: CRD, key Secret, encrypted manifests, readiness.
import { ageSecretCrd, encryptValue, generateKeyPair, GROUP, PLURAL, VERSION, type AgeSecret } from '@capstan/agesecret';
import type { KubeClient, KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import { runPool } from './pool.js';

export const AGESECRETS = { group: GROUP, version: VERSION, plural: PLURAL } as const;
export const SECRETS = { version: 'v1', plural: 'secrets' } as const;
export const EVENTS = { version: 'v1', plural: 'events' } as const;
const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;
export const KEY_SECRET = 'bench-age-key';
export const AGESECRET_ENTRY = 'operators/agesecret/src/main.ts';

export type AgeSecretObject = AgeSecret & KubeObject;

/** Installs the AgeSecret CRD (server-side apply, idempotent) and waits until it is served. */
export async function installAgeSecretCrd(client: KubeClient): Promise<void> {
  await client.apply(CRDS, JSON.parse(JSON.stringify(ageSecretCrd)), { force: true, fieldManager: 'capstan-bench' });
  await waitUntil(
    async () => {
      const crd = await client.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(CRDS, {
        name: `${PLURAL}.${GROUP}`,
      });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    },
    { timeoutMs: 60_000, message: 'AgeSecret CRD established' },
  );
}

/** A fresh key pair; its identity stored in the namespace's key Secret (what spec.ageSecretRef names). */
export async function createKeySecret(client: KubeClient, namespace: string): Promise<string> {
  const key = await generateKeyPair();
  await client.create(
    SECRETS,
    { metadata: { name: KEY_SECRET, namespace }, stringData: { secretKey: key.identity } } as unknown as KubeObject,
    { namespace },
  );
  return key.recipient;
}

/** N distinct encrypted values (encryption is set-up, outside any timing). */
export async function encryptValues(recipient: string, n: number, concurrency = 8): Promise<string[]> {
  const out = new Array<string>(n);
  await runPool(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      out[i] = await encryptValue(`bench value ${i} ${'x'.repeat(32)}`, { recipients: [recipient] });
    },
  );
  return out;
}

export function ageSecretManifest(namespace: string, name: string, ciphertext: string): AgeSecretObject {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'AgeSecret',
    metadata: { name, namespace },
    spec: { secretName: name, secretKey: 'value', secret: ciphertext, ageSecretRef: KEY_SECRET },
  } as AgeSecretObject;
}

/** Ready=True for the current generation. */
export function isReady(obj: AgeSecretObject): boolean {
  const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === obj.metadata.generation;
}

/** Arguments of the AgeSecret operator process serving one namespace with the admin kubeconfig. */
export function ageSecretOperatorArgs(options: { namespace: string; kubeconfigPath: string; concurrency?: number }): string[] {
  return [
    '--namespace',
    options.namespace,
    '--no-default-identity',
    '--kubeconfig',
    options.kubeconfigPath,
    '--log-level',
    'warn',
    ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : []),
  ];
}
