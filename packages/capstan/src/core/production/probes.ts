// The probe server (node:http): /healthz, /readyz from registered checks, /metrics from the operator's registry.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationError } from '../../structs/errors.js';
import type { Logger } from '../logging.js';
import type { OperatorMetrics } from './metrics.js';

/**
 * A probe check: resolve to `true`/`undefined` when healthy; `false` or a string (the reason) when not.
 * Throwing counts as failing with the error's message. Reasons are shown to whoever can reach the port:
 * keep them short and free of secrets.
 */
export type ProbeCheck = () => boolean | string | void | Promise<boolean | string | void>;

/** The probe endpoints: healthz, readyz and metrics. */
export type ProbeKind = 'healthz' | 'readyz';

/** A probe's answer: whether every check passed, and each check's result. */
export interface ProbeResult {
  /** Whether every check passed. */
  ok: boolean;
  /** Each check's result, in registration order. */
  checks: {
    /** The check's name. */
    name: string;
    /** Whether it passed. */
    ok: boolean;
    /** Why it failed (one line, clipped); absent when it passed. */
    reason?: string;
  }[];
}

/** Where a started probe server listens. */
export interface ProbeAddress {
  /** Base URL to fetch `/healthz`, `/readyz` and `/metrics` from (`127.0.0.1` when bound to all interfaces). */
  url: string;
  /** The host it was bound to, as configured (`0.0.0.0` by default). */
  host: string;
  /** The bound port (the one picked when 0 was asked for). */
  port: number;
}

/** Options of the probe server: address, port, metrics and the checks' timeout. */
export interface ProbeServerOptions {
  /** Default '0.0.0.0' (probes come from the kubelet, on the pod IP). */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Served on `/metrics`; without it `/metrics` answers 404. */
  metrics?: OperatorMetrics | undefined;
  /** Where failed probe requests are logged. */
  logger?: Logger | undefined;
  /** A check not answering within this is failed. Default 5000 ms. */
  checkTimeoutMs?: number;
}

const maxReason = 200;

/** The plain-HTTP server of `/healthz`, `/readyz` and `/metrics`. */
export class ProbeServer {
  readonly #options: ProbeServerOptions;
  readonly #checks: Record<ProbeKind, Map<string, ProbeCheck>> = { healthz: new Map(), readyz: new Map() };
  #server: http.Server | undefined;

  constructor(options: ProbeServerOptions) {
    this.#options = options;
  }

  /** Register a liveness check (failing makes the kubelet restart the pod). */
  addHealthCheck(name: string, check: ProbeCheck): this {
    return this.#add('healthz', name, check);
  }

  /** Register a readiness check (failing takes the pod out of Service endpoints and rollouts wait). */
  addReadinessCheck(name: string, check: ProbeCheck): this {
    return this.#add('readyz', name, check);
  }

  #add(kind: ProbeKind, name: string, check: ProbeCheck): this {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new ConfigurationError(`probe check name "${name}" must be lower-case kebab-case`);
    if (this.#checks[kind].has(name)) throw new ConfigurationError(`a ${kind} check named "${name}" is already registered`);
    this.#checks[kind].set(name, check);
    return this;
  }

  /** Run the checks of one kind (all of them, in parallel). */
  async run(kind: ProbeKind): Promise<ProbeResult> {
    const timeoutMs = this.#options.checkTimeoutMs ?? 5000;
    const checks = await Promise.all(
      [...this.#checks[kind]].map(async ([name, check]) => {
        const reason = await evaluate(check, timeoutMs);
        return reason === undefined ? { name, ok: true } : { name, ok: false, reason };
      }),
    );
    return { ok: checks.every((c) => c.ok), checks };
  }

  /** Listen; resolves with the bound address. */
  async start(): Promise<ProbeAddress> {
    if (this.#server) throw new ConfigurationError('the probe server is already started');
    const server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#options.logger?.warn('probe request failed', { error });
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      });
    });
    // Probes are tiny: a stuck client must not hold a socket for long.
    server.requestTimeout = 10_000;
    server.keepAliveTimeout = 5_000;
    this.#server = server;
    const host = this.#options.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      this.#server = undefined;
      throw new ConfigurationError(`cannot listen for probes on ${host}:${this.#options.port}: ${(error as Error).message}`, {
        cause: error,
      });
    });
    const port = (server.address() as AddressInfo).port;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return { url: `http://${shown}:${port}`, host, port };
  }

  /** Close the server and its open connections (nothing to do when not started). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://probe');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const kind: ProbeKind = path === '/readyz' ? 'readyz' : 'healthz';
      const result = await this.run(kind);
      const verbose = url.searchParams.has('verbose');
      const lines = result.checks
        .filter((c) => verbose || !c.ok)
        .map((c) => (c.ok ? `[+]${c.name} ok` : `[-]${c.name} failed: ${c.reason}`));
      const body = result.ok ? `${[...lines, 'ok'].join('\n')}\n` : `${[...lines, `${kind} check failed`].join('\n')}\n`;
      res.writeHead(result.ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/metrics' && this.#options.metrics) {
      const { contentType, body } = await this.#options.metrics.render();
      res.writeHead(200, { 'Content-Type': contentType }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
  }
}

/** A check's failure reason, or undefined when it passed. */
async function evaluate(check: ProbeCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
    });
    const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
    if (outcome === true || outcome === undefined) return undefined;
    return clip(outcome === false ? 'failed' : outcome);
  } catch (error) {
    return clip(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}

function clip(reason: string): string {
  const line = reason.replace(/\s+/g, ' ').trim() || 'failed';
  return line.length > maxReason ? `${line.slice(0, maxReason)}...` : line;
}
