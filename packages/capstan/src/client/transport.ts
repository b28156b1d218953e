// HTTP(S) to the API server over one keep-alive agent, with client-node's auth and TLS settings.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { apiErrorFrom, type StatusLike } from '../structs/errors.js';

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
  readonly #kc: KubeConfig;
  readonly #agent: http.Agent;
  #auth?: { headers: Record<string, string>; at: number };
  observer?: RequestObserver;

  private constructor(kc: KubeConfig, server: URL, agent: http.Agent) {
    this.#kc = kc;
    this.server = server;
    this.#agent = agent;
  }

  static async create(kc: KubeConfig): Promise<Transport> {
    const cluster = kc.getCurrentCluster();
    const server = new URL(cluster?.server ?? '');
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const agent = server.protocol === 'http:'
      ? new http.Agent({ keepAlive: true })
      : new https.Agent({
        keepAlive: true,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        pfx: opts.pfx,
        passphrase: opts.passphrase,
        rejectUnauthorized: cluster?.skipTLSVerify ? false : opts.rejectUnauthorized,
        servername: cluster?.tlsServerName ?? opts.servername ?? undefined,
      });
    return new Transport(kc, server, agent);
  }

  /** Auth headers, refreshed every 30 s so rotating tokens (exec plugins, projected tokens) keep working. */
  async #headers(): Promise<Record<string, string>> {
    if (this.#auth && Date.now() - this.#auth.at < 30_000) return this.#auth.headers;
    const opts: https.RequestOptions = { headers: {} };
    await this.#kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.#auth = { headers, at: Date.now() };
    return headers;
  }

  url(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Send a request and resolve with the response stream (any status). */
  async open(options: RequestOptions): Promise<IncomingMessage> {
    const url = this.url(options.path, options.query);
    const headers: Record<string, string> = { Accept: 'application/json', ...(await this.#headers()) };
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
        reject(apiErrorFrom({ status, reason: error.code, verb: options.verb, target: options.target, message: error.message, cause: error }));
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

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
