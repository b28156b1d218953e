// HTTP(S) to the API server over one keep-alive agent, with the loaded credentials' TLS settings and auth headers.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { apiErrorFrom, type StatusLike } from '../structs/errors.js';
import type { Credentials } from './credentials.js';

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal | undefined;
  /** Whole-request timeout. Default 60 s; watches pass 0 (no timeout) and rely on their own. */
  timeoutMs?: number;
  /** For errors: what was attempted (never the body). */
  verb?: string;
  target?: string;
}

/** Observes every API request (for metrics): verb, status (0 when no response) and duration. */
export type RequestObserver = (info: { verb: string; method: string; status: number; durationMs: number }) => void;

export class Transport {
  readonly server: URL;
  readonly #credentials: Credentials;
  readonly #agent: http.Agent;
  observer?: RequestObserver;

  private constructor(credentials: Credentials, agent: http.Agent) {
    this.#credentials = credentials;
    this.server = credentials.server;
    this.#agent = agent;
  }

  static async create(credentials: Credentials): Promise<Transport> {
    const { tls } = credentials;
    const agent =
      credentials.server.protocol === 'http:'
        ? new http.Agent({ keepAlive: true })
        : new https.Agent({
            keepAlive: true,
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            rejectUnauthorized: tls.rejectUnauthorized,
            servername: tls.servername,
          });
    return new Transport(credentials, agent);
  }

  url(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Send a request and resolve with the response stream (any status). */
  async open(options: RequestOptions): Promise<IncomingMessage> {
    const url = this.url(options.path, options.query);
    const headers: Record<string, string> = { Accept: 'application/json', ...(await this.#credentials.headers()) };
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const mod = url.protocol === 'http:' ? http : https;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method: options.method, headers, agent: this.#agent, signal: options.signal }, (res) => resolve(res));
      const timeout = options.timeoutMs ?? 60_000;
      if (timeout > 0) {
        req.setTimeout(timeout, () => req.destroy(Object.assign(new Error(`no response within ${timeout} ms`), { code: 'ETIMEDOUT' })));
      }
      req.on('error', (error: NodeJS.ErrnoException) => {
        this.observer?.({ verb: options.verb ?? options.method, method: options.method, status: 0, durationMs: Date.now() - started });
        if (error.name === 'AbortError') return reject(error);
        const status = error.code === 'ETIMEDOUT' ? 504 : 0;
        reject(
          apiErrorFrom({ status, reason: error.code, verb: options.verb, target: options.target, message: error.message, cause: error }),
        );
      });
      req.end(payload);
    });
  }

  /** Send a request and parse the JSON response; non-2xx statuses become ApiError subclasses. */
  async request<T>(options: RequestOptions): Promise<T> {
    const started = Date.now();
    const res = await this.open(options);
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    this.observer?.({ verb: options.verb ?? options.method, method: options.method, status, durationMs: Date.now() - started });
    if (status < 200 || status >= 300) throw errorFromResponse(status, text, options);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  close(): void {
    this.#agent.destroy();
  }
}

export function readBody(res: IncomingMessage): Promise<string> {
  // Events rather than `for await`: every request reads a body, and the async iterator costs a promise per chunk.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
    // A response cut before its end (the socket closed) ends in 'close' without 'end' when no error is emitted.
    res.once('close', () => {
      if (!res.complete) reject(Object.assign(new Error('the response ended before its body was complete'), { code: 'ECONNRESET' }));
    });
  });
}

/** An error from a response: only the `Status` fields message/reason/code are kept, never other content. */
export function errorFromResponse(status: number, text: string, options: Pick<RequestOptions, 'verb' | 'target'>) {
  let st: StatusLike | undefined;
  try {
    const parsed = JSON.parse(text) as StatusLike;
    if (parsed && parsed.kind === 'Status') st = parsed;
  } catch {
    // not JSON (a proxy's HTML page, say): report the status alone
  }
  return apiErrorFrom({ status, reason: st?.reason, message: st?.message, verb: options.verb, target: options.target });
}
