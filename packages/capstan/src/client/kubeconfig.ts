// Loading a kubeconfig with @kubernetes/client-node (auth and TLS), from a path, YAML, object or the cluster.
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError } from '../structs/errors.js';

/**
 * Where the cluster connection comes from:
 * - `{ path }`: a kubeconfig file; `{ yaml }`: kubeconfig text; `{ inCluster: true }`: the pod's service account
 *   (`root` prefixes its file paths, as under the local kubelet simulator);
 * - `'default'`: client-node's own lookup (KUBECONFIG, ~/.kube/config, in-cluster); the CLI decides this for
 *   embedders who pass nothing;
 * - a `KubeConfig` instance (already loaded);
 * - a string: kubeconfig YAML when it has a newline, else a file path.
 * `context` picks a context other than the current one.
 */
export type KubeConfigSource =
  | string
  | { path: string; context?: string }
  | { yaml: string; context?: string }
  | { inCluster: true; root?: string }
  | 'default'
  | KubeConfig;

export function loadKubeConfig(source: KubeConfigSource = 'default'): KubeConfig {
  if (source instanceof KubeConfig) return source;
  if (typeof source === 'string' && source !== 'default') source = source.includes('\n') ? { yaml: source } : { path: source };
  const kc = new KubeConfig();
  try {
    if (source === 'default') kc.loadFromDefault();
    else if ('inCluster' in source) kc.loadFromCluster(source.root);
    else if ('path' in source) kc.loadFromFile(source.path);
    else kc.loadFromString(source.yaml);
    if (typeof source === 'object' && 'context' in source && source.context) kc.setCurrentContext(source.context);
  } catch (error) {
    const where = typeof source === 'object' && 'path' in source ? ` from ${source.path}` : '';
    throw new ConfigurationError(`cannot load the kubeconfig${where}: ${(error as Error).message}`, { cause: error });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new ConfigurationError('the kubeconfig has no current cluster with a server URL');
  return kc;
}

export { KubeConfig };
