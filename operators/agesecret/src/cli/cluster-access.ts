// The CLI's reads from the cluster with the user's kubeconfig (kubectl's flags): published recipients, AgeSecrets.
import { resolve } from 'node:path';
import { ApiClient, type KubeConfigSource } from 'capstan';
import { processKubeconfig } from 'capstan/process';
import { RECIPIENTS_CONFIGMAP } from '../keys/namespace-keys.js';
import { AGESECRETS, GROUP, PLURAL } from '../resource.js';
import type { AgeSecretObjectLike } from './key-status.js';
import { ClusterAccessError, explainClusterError, type Access } from './cluster-errors.js';
import type { CliIo } from './io.js';
import { gatherRecipients } from './keys.js';
import { mergeRecipients, publishedRecipients, type ConfigMapObject, type PublishedRecipients } from './published-recipients.js';
import { EXIT_CREDENTIALS, UsageError } from './usage.js';

/** kubectl's connection flags; -n/--namespace is each command's own. */
export const kubeOptions = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const;

/** For commands whose -n also names the namespace of --bind: --offline keeps them off the cluster. */
export const offlineOption = { offline: { type: 'boolean' } } as const;

const CONFIGMAPS = { version: 'v1', plural: 'configmaps' } as const;

/** Where the cluster is: --kubeconfig, else as every capstan process resolves it ($KUBECONFIG, in-cluster, ~/.kube/config). */
export function kubeconfigSource(io: CliIo, values: { kubeconfig?: string; context?: string }): KubeConfigSource {
  const source = processKubeconfig(values.kubeconfig ? resolve(io.cwd, values.kubeconfig) : undefined, io.env);
  if (!values.context) return source;
  if (typeof source === 'object' && 'path' in source) return { ...source, context: values.context };
  // Merging several files (or a pod's service account) has no contexts to pick from here.
  throw new ClusterAccessError(
    source === 'default'
      ? '--context needs one kubeconfig file, but KUBECONFIG lists several: pass --kubeconfig FILE'
      : '--context needs a kubeconfig, but none was found (only the service account of this pod): pass --kubeconfig FILE',
    { reason: 'KubeconfigError', exitCode: EXIT_CREDENTIALS },
  );
}

/** Runs `fn` with a client of the user's cluster, turning known failures of `access` into ClusterAccessErrors. */
export async function withCluster<T>(
  io: CliIo,
  values: { kubeconfig?: string; context?: string },
  access: Access,
  fn: (client: ApiClient) => Promise<T>,
): Promise<T> {
  let client: ApiClient | undefined;
  try {
    client = await ApiClient.create(kubeconfigSource(io, values), { fieldManager: 'age-secret' });
    return await fn(client);
  } catch (error) {
    throw explainClusterError(error, { ...access, ...(client ? { server: client.server } : {}) }) ?? error;
  } finally {
    client?.close();
  }
}

/** The namespace's published recipients; needs only `get` on that one ConfigMap. */
export async function fetchPublished(
  io: CliIo,
  values: { kubeconfig?: string; context?: string },
  namespace: string,
): Promise<PublishedRecipients> {
  const access: Access = { verb: 'get', resource: 'configmaps', name: RECIPIENTS_CONFIGMAP, namespace };
  const configMap = await withCluster(io, values, access, (client) =>
    client.tryGet<ConfigMapObject>(CONFIGMAPS, { namespace, name: RECIPIENTS_CONFIGMAP }),
  );
  return publishedRecipients(configMap, namespace);
}

/** The AgeSecrets of a namespace (needs `list agesecrets.pyvo.io` there). */
export async function listAgeSecrets(
  io: CliIo,
  values: { kubeconfig?: string; context?: string },
  namespace: string,
): Promise<AgeSecretObjectLike[]> {
  const access: Access = { verb: 'list', resource: `${PLURAL}.${GROUP}`, namespace };
  return withCluster(io, values, access, async (client) => (await client.list<AgeSecretObjectLike>(AGESECRETS, { namespace })).items);
}

type RecipientValues = {
  recipient?: string[];
  'recipients-file'?: string[];
  namespace?: string;
  offline?: boolean;
  kubeconfig?: string;
  context?: string;
};

/**
 * The recipients to encrypt for: -r/-R, plus the published ones of --namespace unless --offline. With
 * --namespace a failure to read the published list fails the command: never fewer recipients than asked for.
 */
export async function recipientsFor(io: CliIo, values: RecipientValues, command: string): Promise<string[]> {
  if (values.offline && (values.kubeconfig || values.context)) throw new UsageError('--offline and --kubeconfig/--context are exclusive');
  const given = await gatherRecipients(io, values);
  if (!values.namespace || values.offline) {
    if (given.length === 0)
      throw new UsageError(
        `no recipients: pass -r age1..., -R recipients-file, or --namespace NS for the namespace's published recipients`,
      );
    return given;
  }
  const published = await fetchPublished(io, values, values.namespace);
  const recipients = mergeRecipients(published.current, given);
  io.stderr(
    `${command}: for the ${published.current.length} recipient(s) published by namespace ${values.namespace}` +
      `${recipients.length > published.current.length ? ` and ${recipients.length - published.current.length} given` : ''}\n`,
  );
  return recipients;
}
