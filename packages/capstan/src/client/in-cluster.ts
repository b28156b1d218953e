// Credentials of a pod's service account: its projected token (re-read as it rotates) and the cluster CA.
import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { ConfigurationError } from '../structs/errors.js';
import { refreshingHeaders, serverUrl, type Credentials, type RefreshOptions } from './credentials.js';

/**
 * The pod's service account. `root` prefixes the file paths (the local kubelet simulator's pod root); `host` and
 * `port` are the API server's (the CLI passes `KUBERNETES_SERVICE_HOST`/`_PORT`; the library never reads the
 * environment): without them, `kubernetes.default.svc:443`, which the cluster DNS resolves in every pod.
 */
export interface InClusterSource {
  /** Marks the source as the pod's service account. */
  inCluster: true;
  /** Prefixed to the service account's file paths (token and CA). */
  root?: string | undefined;
  /** The API server's host; `kubernetes.default.svc` when absent. */
  host?: string | undefined;
  /** The API server's port; 443 when absent (80, 8080 and 8001 mean plain HTTP). */
  port?: string | number | undefined;
}

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

async function readServiceAccountFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigurationError(`cannot read the service account's ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: error,
    });
  }
}

export async function inClusterCredentials(source: InClusterSource, options: RefreshOptions = {}): Promise<Credentials> {
  const dir = `${source.root ?? ''}${serviceAccountDir}`;
  const host = source.host || 'kubernetes.default.svc';
  const port = String(source.port || 443);
  // As client-node: the plain-HTTP ports of a local proxy mean http.
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  const server = serverUrl(`${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`, `the in-cluster API server address ${host}:${port}`);
  const ca = await readServiceAccountFile(`${dir}/ca.crt`, 'CA');
  const read = async () => ({ Authorization: `Bearer ${(await readServiceAccountFile(`${dir}/token`, 'token')).toString('utf8').trim()}` });
  return { server, tls: { ca, rejectUnauthorized: true }, headers: await refreshingHeaders(read, options) };
}
