// The legacy-mock HTTP server: serves only after a correct secret handshake; state lives in the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { encodeKeyHalf, judgeSecret } from './handshake.js';
import { resolveOptions, type LegacyMockOptions, type ResolvedOptions } from './options.js';

export const APP_NAME = 'legacy-mock';
export const APP_VERSION = '0.1.0';

/** Counters a test can assert on (e.g. "exactly one accepted handshake"). */
export interface LegacyMockStats {
  keyRequests: number;
  secretRequests: number;
  accepted: number;
  refused: number;
}

export interface LegacyMock {
  /** Starts listening; resolves the base URL (`http://host:port`). */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs` (default 5000), then drops the rest. */
  close(options?: { graceMs?: number }): Promise<void>;
  /** The base URL; throws before listen() resolved. */
  readonly url: string;
  /** True once a correct secret was posted. */
  readonly initialized: boolean;
  readonly stats: Readonly<LegacyMockStats>;
}

type Reply = { status: number; body: string; headers?: Record<string, string> };
type Route = { methods: readonly string[]; handle: (req: IncomingMessage) => Promise<Reply> | Reply };

export function createLegacyMock(options: LegacyMockOptions = {}): LegacyMock {
  const opts = resolveOptions(options);
  const stats: LegacyMockStats = { keyRequests: 0, secretRequests: 0, accepted: 0, refused: 0 };
  const shutdown = new AbortController();
  let initialized = false;
  let baseUrl: string | undefined;

  const routes: Record<string, Route> = {
    '/health': { methods: ['GET', 'HEAD'], handle: () => ({ status: 200, body: '{"status":"ok"}' }) },
    '/': {
      methods: ['GET', 'HEAD'],
      handle: () => (initialized ? { status: 200, body: 'It works!' } : { status: 503, body: 'Uninitialized' }),
    },
    '/internal/key': {
      methods: ['GET', 'HEAD'],
      handle: async () => {
        stats.keyRequests += 1;
        await faultDelay(opts, shutdown.signal);
        if (stats.keyRequests <= opts.faults.failFirstKeyRequests) return { status: 500, body: 'Simulated failure' };
        if (opts.faults.redirectKeyTo !== undefined) {
          return { status: 307, body: 'Moved', headers: { Location: opts.faults.redirectKeyTo } };
        }
        return { status: 200, body: encodeKeyHalf(opts.keyHalf) };
      },
    },
    '/internal/secret': {
      methods: ['POST'],
      handle: async (req) => {
        stats.secretRequests += 1;
        const body = await readBody(req, opts.maxBodyBytes);
        if (body === undefined)
          return { status: 413, body: `Body too large (limit ${opts.maxBodyBytes} bytes)`, headers: { Connection: 'close' } };
        await faultDelay(opts, shutdown.signal);
        if (stats.secretRequests <= opts.faults.failFirstSecretRequests) return { status: 500, body: 'Simulated failure' };
        const verdict = judgeSecret(body, opts);
        if (!verdict.ok) {
          stats.refused += 1;
          opts.log(`handshake refused: ${verdict.reason}`);
          return { status: verdict.status, body: verdict.reason };
        }
        stats.accepted += 1;
        if (!initialized) opts.log('handshake accepted: serving');
        initialized = true;
        return { status: 202, body: 'Accepted' };
      },
    },
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (shutdown.signal.aborted) {
        res.destroy();
        return;
      }
      opts.log(`internal error on ${req.method ?? '?'} ${pathOf(req) ?? '?'}: ${(error as Error).message}`);
      if (!res.headersSent) send(res, { status: 500, body: 'Internal error' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    let reply: Reply;
    const route = path === undefined ? undefined : routes[path];
    if (path === undefined) reply = { status: 400, body: 'Bad request target' };
    else if (route === undefined) reply = { status: 404, body: 'Not found' };
    else if (!route.methods.includes(method))
      reply = { status: 405, body: 'Method not allowed', headers: { Allow: route.methods.join(', ') } };
    else reply = await route.handle(req);
    send(res, reply);
    opts.log(`${method} ${path ?? '?'} -> ${reply.status}`);
  }

  return {
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      baseUrl = `http://${urlHost(opts.host)}:${address.port}`;
      opts.log(`listening on ${opts.host}:${address.port}`);
      return baseUrl;
    },
    async close({ graceMs = 5000 } = {}) {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Delayed fault responses would otherwise hold the shutdown for their whole delay.
      shutdown.abort();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      await closed;
      clearTimeout(force);
      opts.log('closed');
    },
    get url() {
      if (baseUrl === undefined) throw new Error('legacy-mock is not listening yet: await listen() first');
      return baseUrl;
    },
    get initialized() {
      return initialized;
    },
    get stats() {
      return { ...stats };
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const body = `${reply.body}\n`;
  res.writeHead(reply.status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-App-Name': APP_NAME,
    'X-App-Version': APP_VERSION,
    ...reply.headers,
  });
  res.end(body);
}

function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '', 'http://legacy-mock.invalid').pathname;
  } catch {
    return undefined;
  }
}

// Resolves undefined when the body exceeds the cap; stops buffering as soon as it does.
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function faultDelay(opts: ResolvedOptions, signal: AbortSignal): Promise<void> {
  if (opts.faults.delayMs > 0) await delay(opts.faults.delayMs, undefined, { signal });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
