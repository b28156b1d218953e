// Loading the connection from a kubeconfig source: natively for files, YAML and in-cluster, client-node only if needed.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigurationError } from '../structs/errors.js';
import { credentialsFromKubeConfig, credentialsViaClientNode, isKubeConfigLike, type KubeConfigLike } from './client-node-credentials.js';
import type { Credentials } from './credentials.js';
import { inClusterCredentials, type InClusterSource } from './in-cluster.js';
import { credentialsFromSelection } from './kubeconfig-credentials.js';
import { needsClientNode, parseKubeconfig, selectKubeconfig } from './kubeconfig-file.js';

/**
 * Where the cluster connection comes from:
 * - `{ path }`: a kubeconfig file; `{ yaml }`: kubeconfig text; `{ inCluster: true, root?, host?, port? }`: the
 *   pod's service account (see InClusterSource);
 * - `'default'`: client-node's own lookup (KUBECONFIG, ~/.kube/config, in-cluster), for embedders who pass
 *   nothing; the CLI resolves the default itself;
 * - a client-node `KubeConfig` instance (already loaded; any object with `getCurrentCluster` and `applyToHTTPSOptions`);
 * - a string: kubeconfig YAML when it has a newline, else a file path.
 * `context` picks a context other than the current one.
 */
export type KubeConfigSource =
  | string
  | {
      /** The kubeconfig file. */
      path: string;
      /** The context to use instead of the current one. */
      context?: string;
    }
  | {
      /** The kubeconfig's text. */
      yaml: string;
      /** The context to use instead of the current one. */
      context?: string;
    }
  | InClusterSource
  | 'default'
  | KubeConfigLike;

/**
 * Resolve a source into Credentials. Tokens, client certificates, token files, basic auth and in-cluster service
 * accounts are handled here; `exec`/`auth-provider` users, `'default'` and KubeConfig instances go through
 * @kubernetes/client-node, imported only then. Errors are ConfigurationErrors without secrets.
 */
export async function loadCredentials(source: KubeConfigSource = 'default'): Promise<Credentials> {
  if (isKubeConfigLike(source)) return credentialsFromKubeConfig(source);
  if (source === 'default') return credentialsViaClientNode({ default: true });
  if (typeof source === 'string') source = source.includes('\n') ? { yaml: source } : { path: source };
  if ('inCluster' in source) return inClusterCredentials(source);
  let text: string;
  if ('path' in source) {
    try {
      text = await readFile(source.path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(
        `cannot load the kubeconfig from ${source.path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
        { cause: error },
      );
    }
  } else {
    text = source.yaml;
  }
  const where = 'path' in source ? ` (${source.path})` : '';
  try {
    const selection = selectKubeconfig(parseKubeconfig(text), { context: source.context });
    if (needsClientNode(selection.user))
      return await credentialsViaClientNode('path' in source ? { path: source.path } : { yaml: text }, source.context);
    return await credentialsFromSelection(selection, { dir: 'path' in source ? dirname(source.path) : undefined });
  } catch (error) {
    if (error instanceof ConfigurationError && where) throw new ConfigurationError(`${error.message}${where}`, { cause: error });
    throw error;
  }
}
