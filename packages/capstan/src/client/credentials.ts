// What a connection to the API server needs: the server URL, TLS material and (possibly rotating) auth headers.

/** TLS settings of the connection, as `https.Agent` takes them. */
export interface TlsSettings {
  ca?: string | Buffer | undefined;
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  /** false only for `insecure-skip-tls-verify: true`. */
  rejectUnauthorized: boolean;
  servername?: string | undefined;
}

/** A loaded connection (see `loadCredentials`). `headers()` is asked before each request: tokens may rotate. */
export interface Credentials {
  readonly server: URL;
  readonly tls: TlsSettings;
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
 * Caches `read` for `refreshMs`: a rotated projected token is picked up within that time without reading the
 * file on every request. A failed read keeps the last good value when there is one (the file is being swapped).
 */
export function refreshingHeaders(read: () => Promise<Record<string, string>>, options: RefreshOptions = {}): () => Promise<Record<string, string>> {
  const refreshMs = options.refreshMs ?? credentialsRefreshMs;
  const now = options.now ?? Date.now;
  let cached: { headers: Record<string, string>; at: number } | undefined;
  return async () => {
    if (cached && now() - cached.at < refreshMs) return cached.headers;
    try {
      cached = { headers: await read(), at: now() };
    } catch (error) {
      if (!cached) throw error;
    }
    return cached.headers;
  };
}

export function basicAuthHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
