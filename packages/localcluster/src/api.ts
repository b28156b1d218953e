// A minimal Kubernetes REST client over node:https (bearer token + CA): JSON requests and line-delimited watches.
import { Agent, request } from 'node:https';
import { createInterface } from 'node:readline';
import { KubeApiError } from './errors.js';

/** Where the API server is and how to authenticate to it: its URL, a bearer token and the CA (PEM). */
export interface ApiConnection {
  /** The API server's URL. */
  server: string;
  /** The bearer token sent with every request. */
  token: string;
  /** PEM of the CA the API server's certificate chains to. */
  ca: string;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** One watch event: its type and the object (or a Status for ERROR). */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** The local cluster's own small REST client (bearer token and CA), used where capstan's client is not loaded. */
export class KubeApi {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(
    /** The server, token and CA this client uses. */
    readonly connection: ApiConnection,
  ) {
    this.base = new URL(connection.server);
    this.agent = new Agent({ ca: connection.ca, keepAlive: true, maxSockets: 32 });
  }

  /** JSON in, JSON out; an error status becomes a KubeApiError carrying the Status reason. */
  async request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    const { status, text } = await this.raw(path, options);
    if (status >= 400) throw toApiError(options.method ?? 'GET', path, status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** GET `path` as JSON. */
  get<T = unknown>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { signal });
  }

  /** GET that maps 404 to undefined. */
  async find<T = unknown>(path: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return await this.get<T>(path, signal);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** POST `body` as JSON to `path`. */
  post<T = unknown>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { method: 'POST', body, signal });
  }

  /** PATCH `path` with a strategic merge patch (the default), a merge patch or JSON Patch. */
  patch<T = unknown>(path: string, body: unknown, type: 'merge' | 'strategic' | 'json' = 'strategic'): Promise<T> {
    const contentType = {
      merge: 'application/merge-patch+json',
      strategic: 'application/strategic-merge-patch+json',
      json: 'application/json-patch+json',
    }[type];
    return this.request<T>(path, { method: 'PATCH', body, contentType });
  }

  /** DELETE `path`, with an optional body (DeleteOptions). */
  delete<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>(path, { method: 'DELETE', body });
  }

  /** A request whose status and body are returned as they are (no error for 4xx/5xx). */
  raw(
    path: string,
    options: RequestOptions = {},
  ): Promise<{
    /** The HTTP status code. */
    status: number;
    /** The response body. */
    text: string;
  }> {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.base),
        {
          method: options.method ?? 'GET',
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.connection.token}`,
            accept: 'application/json',
            // An explicit length: node does not frame DELETE bodies by default, which corrupts keep-alive sockets.
            ...(body !== undefined
              ? { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) }
              : {}),
          },
          signal: options.signal,
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request to ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Streams watch events until the server closes the stream or the signal aborts. */
  async *watch<T>(path: string, signal: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const url = new URL(path, this.base);
    url.searchParams.set('watch', 'true');
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(url, {
        agent: this.agent,
        headers: { authorization: `Bearer ${this.connection.token}`, accept: 'application/json' },
        signal,
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    if ((res.statusCode ?? 0) >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw toApiError('WATCH', path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
    }
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim()) yield JSON.parse(line) as WatchEvent<T>;
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      res.destroy();
    }
  }

  /** Close the client's keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function toApiError(method: string, path: string, status: number, text: string): KubeApiError {
  let reason: string | undefined;
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    reason = parsed.reason;
    message = parsed.message ?? message;
  } catch {
    // not a Status object
  }
  return new KubeApiError(`${method} ${path}: ${status} ${reason ?? ''} ${message}`.replace(/\s+/g, ' ').trim(), status, reason);
}
