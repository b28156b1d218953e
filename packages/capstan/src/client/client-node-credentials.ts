// The fallback to @kubernetes/client-node, imported only when needed: exec and auth-provider users, the 'default'
// lookup, and a KubeConfig an embedder already loaded (client-node costs ~64 MiB RSS: BENCHMARKS.md, "2. Restart").
import type { RequestOptions } from 'node:https';
import { ConfigurationError } from '../structs/errors.js';
import { refreshingHeaders, serverUrl, type Credentials, type RefreshOptions } from './credentials.js';

/** What capstan uses of a client-node `KubeConfig` (matched structurally: capstan never imports the class eagerly). */
export interface KubeConfigLike {
  /** The current context's cluster, or null when there is none. */
  getCurrentCluster(): {
    /** The API server's URL. */
    server: string;
    /** Whether the server's certificate goes unchecked (`insecure-skip-tls-verify`). */
    skipTLSVerify?: boolean;
    /** The name to check the server's certificate against (`tls-server-name`). */
    tlsServerName?: string | undefined;
  } | null;
  /** Fill request options with the user's credentials and the cluster's TLS material (runs exec plugins). */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

export function isKubeConfigLike(value: unknown): value is KubeConfigLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as KubeConfigLike).applyToHTTPSOptions === 'function' &&
    typeof (value as KubeConfigLike).getCurrentCluster === 'function'
  );
}

/** Credentials over a loaded client-node KubeConfig: its TLS once, its headers (exec plugins) every 30 s. */
export async function credentialsFromKubeConfig(kc: KubeConfigLike, options: RefreshOptions = {}): Promise<Credentials> {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new ConfigurationError('the kubeconfig has no current cluster with a server URL');
  const server = serverUrl(cluster.server, "the kubeconfig's server URL");
  const apply = async (): Promise<RequestOptions> => {
    const opts: RequestOptions = { headers: {} };
    try {
      await kc.applyToHTTPSOptions(opts);
    } catch (error) {
      // client-node's messages name plugins and files, not tokens; the cause is kept for debugging.
      throw new ConfigurationError(`cannot apply the kubeconfig's credentials: ${(error as Error).message}`, { cause: error });
    }
    return opts;
  };
  const headersOf = (opts: RequestOptions): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) out[k] = String(v);
    if (opts.auth) out.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    return out;
  };
  // The first application gives the TLS material and primes the headers (an exec plugin runs once at load).
  let first: RequestOptions | undefined = await apply();
  const tls = {
    ca: first.ca as string | Buffer | undefined,
    cert: first.cert as string | Buffer | undefined,
    key: first.key as string | Buffer | undefined,
    rejectUnauthorized: cluster.skipTLSVerify ? false : first.rejectUnauthorized !== false,
    servername: cluster.tlsServerName ?? first.servername ?? undefined,
  };
  const headers = await refreshingHeaders(async () => {
    const opts = first ?? (await apply());
    first = undefined;
    return headersOf(opts);
  }, options);
  return { server, tls, headers };
}

/** Load with client-node (imported now): `{ default: true }` is its own lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
export async function credentialsViaClientNode(
  from: { yaml: string } | { path: string } | { default: true },
  context?: string,
): Promise<Credentials> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if ('default' in from) kc.loadFromDefault();
    else if ('path' in from) kc.loadFromFile(from.path);
    else kc.loadFromString(from.yaml);
    if (context) kc.setCurrentContext(context);
  } catch (error) {
    const where = 'path' in from ? ` from ${from.path}` : '';
    // js-yaml quotes the source below the first line: keep only the first (no token in the message).
    throw new ConfigurationError(`cannot load the kubeconfig${where}: ${String((error as Error).message).split('\n')[0]}`, {
      cause: error,
    });
  }
  return credentialsFromKubeConfig(kc);
}
