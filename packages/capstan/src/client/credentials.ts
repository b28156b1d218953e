// What a connection to the API server needs: the server URL, TLS material and (possibly rotating) auth headers.
import { ConfigurationError } from '../structs/errors.js';

/** TLS settings of the connection, as `https.Agent` takes them. */
export interface TlsSettings {
  /** The CA certificates (PEM) the server's certificate must chain to; the system's when absent. */
  ca?: string | Buffer | undefined;
  /** The client certificate (PEM), for certificate authentication. */
  cert?: string | Buffer | undefined;
  /** The client certificate's private key (PEM). */
  key?: string | Buffer | undefined;
  /** false only for `insecure-skip-tls-verify: true`. */
  rejectUnauthorized: boolean;
  /** The name the server's certificate is checked against, when not the URL's host (`tls-server-name`). */
  servername?: string | undefined;
}

/** A loaded connection (see `loadCredentials`). `headers()` is asked before each request: tokens may rotate. */
export interface Credentials {
  /** The API server's URL. */
  readonly server: URL;
  /** CA, client certificate and server name checking of the connection. */
  readonly tls: TlsSettings;
  /** The authentication headers (`Authorization`) for the next request; rotating tokens are re-read. */
  headers(): Promise<Record<string, string>>;
}

/** How often rotating credentials (token files, exec plugins) are re-read, as client-go does for token files. */
export const credentialsRefreshMs = 30_000;

export interface RefreshOptions {
  refreshMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
}

/**
 * Reads the headers once now (so bad credentials fail at load) and then caches them for `refreshMs`: a rotated
 * projected token is picked up within that time without reading the file on every request. A failed re-read
 * keeps the last good value (the file is being swapped).
 */
export async function refreshingHeaders(
  read: () => Promise<Record<string, string>>,
  options: RefreshOptions = {},
): Promise<() => Promise<Record<string, string>>> {
  const refreshMs = options.refreshMs ?? credentialsRefreshMs;
  const now = options.now ?? Date.now;
  let cached = { headers: await read(), at: now() };
  return async () => {
    if (now() - cached.at < refreshMs) return cached.headers;
    try {
      cached = { headers: await read(), at: now() };
    } catch {
      // keep the last good headers; the next request tries again
    }
    return cached.headers;
  };
}

/** The server URL of a kubeconfig or service account, as a ConfigurationError when it is not one. */
export function serverUrl(text: string, what: string): URL {
  try {
    return new URL(text);
  } catch (error) {
    throw new ConfigurationError(`${what} is not a URL`, { cause: error });
  }
}

export function basicAuthHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
