// The numbers HTTP server: the page (re-reading the secret on every request), its stylesheet, and /healthz.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderPage } from './page.js';
import { readSecretFile, resolveSecretPath } from './secret-file.js';
import { STYLESHEET } from './style.js';
import { resolveOptions, type NumbersAppOptions } from './options.js';

export interface NumbersApp {
  /** Starts listening; resolves the base URL (`http://host:port`). */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs` (default 5000). */
  close(options?: { graceMs?: number }): Promise<void>;
  /** The base URL; throws before listen() resolved. */
  readonly url: string;
  /** The file the app reads (after CAPSTAN_POD_ROOT-style resolution). */
  readonly secretPath: string;
}

type Reply = { status: number; type: string; body: string; headers?: Record<string, string> };

// The page shows a secret: nothing may cache it, frame it, or load anything from elsewhere.
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

export function createNumbersApp(options: NumbersAppOptions = {}): NumbersApp {
  const opts = resolveOptions(options);
  const secretPath = resolveSecretPath({ secretFile: opts.secretFile, podRoot: opts.podRoot });
  let baseUrl: string | undefined;

  const routes: Record<string, () => Promise<Reply> | Reply> = {
    '/': async () => {
      const read = await readSecretFile(secretPath, opts.maxBytes);
      if (read.kind === 'unreadable') opts.log(`cannot read the secret file: ${read.code}`);
      const page = renderPage(read, { fileTitle: opts.fileTitle, secretPath: opts.secretFile });
      return { status: page.status, type: 'text/html; charset=utf-8', body: page.html };
    },
    '/style.css': () => ({ status: 200, type: 'text/css; charset=utf-8', body: STYLESHEET, headers: { 'Cache-Control': 'max-age=300' } }),
    // Browsers ask for it on their own; an empty answer keeps their consoles clean.
    '/favicon.ico': () => ({ status: 204, type: 'image/x-icon', body: '' }),
    '/healthz': () => ({ status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' }),
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      opts.log(`internal error: ${(error as Error).message}`);
      if (!res.headersSent) send(res, { status: 500, type: 'text/plain; charset=utf-8', body: 'Internal error\n' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = pathOf(req);
    const route = path === undefined ? undefined : routes[path];
    let reply: Reply;
    if (route === undefined) reply = { status: 404, type: 'text/plain; charset=utf-8', body: 'Not found\n' };
    else if (method !== 'GET' && method !== 'HEAD') {
      reply = { status: 405, type: 'text/plain; charset=utf-8', body: 'Method not allowed\n', headers: { Allow: 'GET, HEAD' } };
    } else reply = await route();
    send(res, reply);
    // Path only, never the query or any content: the page carries a secret.
    if (path !== '/healthz') opts.log(`${method} ${path ?? '?'} -> ${reply.status}`);
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
      opts.log(`listening on ${opts.host}:${address.port}, reading ${secretPath}`);
      return baseUrl;
    },
    async close({ graceMs = 5000 } = {}) {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      await closed;
      clearTimeout(force);
    },
    get url() {
      if (baseUrl === undefined) throw new Error('numbers app is not listening yet: await listen() first');
      return baseUrl;
    },
    secretPath,
  };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'Content-Type': reply.type,
    'Content-Length': Buffer.byteLength(reply.body),
    ...PAGE_HEADERS,
    ...reply.headers,
  });
  res.end(reply.body);
}

function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '', 'http://numbers.invalid').pathname;
  } catch {
    return undefined;
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
