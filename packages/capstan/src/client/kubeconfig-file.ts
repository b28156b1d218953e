// Parsing a kubeconfig document and picking its context, cluster and user (pure: no file is read here).
import { parse } from 'yaml';
import { ConfigurationError } from '../structs/errors.js';

/** The kubeconfig fields capstan resolves itself; `exec` and `auth-provider` are left to client-node. */
export interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

export interface KubeconfigUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  as?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

/** The current (or chosen) context's cluster and user. */
export interface KubeconfigSelection {
  context: string;
  cluster: KubeconfigCluster & { server: string };
  user: KubeconfigUser;
}

/** Parse kubeconfig YAML; errors never quote the text (it may hold tokens or keys). */
export function parseKubeconfig(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: false });
  } catch (error) {
    throw new ConfigurationError(`the kubeconfig is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigurationError('the kubeconfig is not a YAML mapping');
  return doc as Record<string, unknown>;
}

function entry<V>(
  doc: Record<string, unknown>,
  list: 'clusters' | 'contexts' | 'users',
  key: 'cluster' | 'context' | 'user',
  name: string,
): V | undefined {
  const items = doc[list];
  if (items !== undefined && items !== null && !Array.isArray(items))
    throw new ConfigurationError(`the kubeconfig's ${list} is not a list`);
  const found = ((items ?? []) as (Record<string, unknown> | null)[]).find((item) => item?.name === name);
  if (!found) return undefined;
  const value = found[key];
  return (value && typeof value === 'object' ? value : {}) as V;
}

/** Pick the context (`context`, else `current-context`) and resolve its cluster and user by name. */
export function selectKubeconfig(doc: Record<string, unknown>, options: { context?: string | undefined } = {}): KubeconfigSelection {
  const contextName = options.context || (typeof doc['current-context'] === 'string' ? doc['current-context'] : '');
  if (!contextName) throw new ConfigurationError('the kubeconfig has no current-context (pass `context` to pick one)');
  const context = entry<{ cluster?: string; user?: string }>(doc, 'contexts', 'context', contextName);
  if (!context) throw new ConfigurationError(`the kubeconfig has no context named "${contextName}"`);
  if (!context.cluster) throw new ConfigurationError(`the kubeconfig's context "${contextName}" names no cluster`);
  const cluster = entry<KubeconfigCluster>(doc, 'clusters', 'cluster', context.cluster);
  if (!cluster) throw new ConfigurationError(`the kubeconfig has no cluster named "${context.cluster}" (context "${contextName}")`);
  if (!cluster.server) throw new ConfigurationError(`the kubeconfig's cluster "${context.cluster}" has no server URL`);
  let user: KubeconfigUser = {};
  if (context.user) {
    const found = entry<KubeconfigUser>(doc, 'users', 'user', context.user);
    if (!found) throw new ConfigurationError(`the kubeconfig has no user named "${context.user}" (context "${contextName}")`);
    user = found;
  }
  return { context: contextName, cluster: { ...cluster, server: cluster.server }, user };
}

/** Whether the user authenticates with a plugin capstan leaves to client-node (loaded only then). */
export function needsClientNode(user: KubeconfigUser): boolean {
  return (user.exec !== undefined && user.exec !== null) || (user['auth-provider'] !== undefined && user['auth-provider'] !== null);
}
