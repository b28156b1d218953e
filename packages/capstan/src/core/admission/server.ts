// The operator's HTTPS server for admission: AdmissionReview v1 in, answers out, certificates swapped live.
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging.js';
import { answerConversion, type Convertible } from './conversion.js';
import { answerReview, BadReviewError, parseAdmissionReview, reviewResponse, type AdmissionHandlerEntry } from './review.js';

export interface AdmissionServerOptions {
  /** Custom resources whose conversion webhook this server answers (`/convert/<crd name>`). */
  conversions?: readonly Convertible[];
  host: string;
  port: number;
  /** The serving certificate and key (PEM). */
  cert: string;
  key: string;
  maxBodyBytes: number;
  logger: Logger;
}

/** Where a custom resource's conversion is served. */
export function conversionPath(resource: Convertible): string {
  return `/convert/${resource.crd.metadata.name}`;
}

/** Where a handler is served: `/admission/<kind>/<name>`, one path per webhook. */
export function admissionPath(entry: { kind: string; id: string }): string {
  return `/admission/${entry.kind}/${encodeURIComponent(entry.id)}`;
}

class RequestTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new RequestTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RequestTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The `timeout` query parameter the API server adds (`10s`): how long it waits for this answer. */
function timeoutOf(url: URL): number {
  const m = /^(\d+)s$/.exec(url.searchParams.get('timeout') ?? '');
  return m ? Math.min(Number(m[1]) * 1000, 30_000) : 10_000;
}

/** Serves the registered handlers over HTTPS; the probes' server stays separate (plain HTTP). */
export class AdmissionServer {
  readonly #handlers = new Map<string, AdmissionHandlerEntry>();
  readonly #conversions = new Map<string, Convertible>();
  #server: Server | undefined;
  #served = 0;

  constructor(
    private readonly o: AdmissionServerOptions,
    handlers: readonly AdmissionHandlerEntry[],
  ) {
    for (const h of handlers) this.#handlers.set(admissionPath(h), h);
    for (const c of o.conversions ?? []) this.#conversions.set(conversionPath(c), c);
  }

  /** Requests answered so far (tests and metrics). */
  get served(): number {
    return this.#served;
  }

  get address(): { host: string; port: number } | undefined {
    const a = this.#server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : undefined;
  }

  async start(): Promise<void> {
    const server = createServer({ cert: this.o.cert, key: this.o.key, minVersion: 'TLSv1.2' }, (req, res) => void this.#handle(req, res));
    // Slow or stuck clients must not pile up: the API server never needs more than its 30 s webhook limit.
    server.requestTimeout = 35_000;
    server.headersTimeout = 10_000;
    server.listen(this.o.port, this.o.host);
    await once(server, 'listening');
    this.#server = server;
  }

  /** Serve a new certificate from the next TLS handshake on (connections already open keep theirs). */
  setCertificate(cert: string, key: string): void {
    this.#server?.setSecureContext({ cert, key, minVersion: 'TLSv1.2' });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.close();
    server.closeIdleConnections();
    await once(server, 'close').catch(() => undefined);
  }

  async #convert(resource: Convertible, req: IncomingMessage, reply: (code: number, body: unknown) => void): Promise<void> {
    if (req.method !== 'POST') return reply(405, { message: 'POST a ConversionReview' });
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, this.o.maxBodyBytes)).toString('utf8'));
    } catch (error) {
      if (error instanceof RequestTooLarge) return reply(413, { message: `request body over ${this.o.maxBodyBytes} bytes` });
      return reply(400, { message: 'the body is not JSON' });
    }
    const answer = answerConversion(resource, body) as { response?: { result?: { status?: string; message?: string } } };
    this.#served++;
    if (answer.response?.result?.status !== 'Success')
      this.o.logger.warn('conversion failed', { resource: resource.crd.metadata.name, message: answer.response?.result?.message });
    reply(200, answer);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (code: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const url = new URL(req.url ?? '/', 'https://webhook');
    const conversion = this.#conversions.get(url.pathname);
    if (conversion) return this.#convert(conversion, req, reply);
    const entry = this.#handlers.get(url.pathname);
    if (!entry) return reply(404, { message: `no admission handler at ${url.pathname}` });
    if (req.method !== 'POST') return reply(405, { message: 'POST an AdmissionReview' });
    let parsed;
    try {
      const body = await readBody(req, this.o.maxBodyBytes);
      parsed = parseAdmissionReview(JSON.parse(body.toString('utf8')) as unknown);
    } catch (error) {
      if (error instanceof RequestTooLarge) return reply(413, { message: `request body over ${this.o.maxBodyBytes} bytes` });
      // Never echo the body back: it may hold a Secret.
      return reply(400, { message: error instanceof BadReviewError ? error.message : 'the body is not JSON' });
    }
    const signal = AbortSignal.timeout(timeoutOf(url));
    const logger = this.o.logger;
    const response = await answerReview(entry, parsed, { signal, logger });
    this.#served++;
    logger.debug('admission', {
      handler: entry.id,
      operation: parsed.operation,
      namespace: parsed.namespace,
      name: parsed.name,
      allowed: response.allowed,
      dryRun: parsed.dryRun,
    });
    reply(200, reviewResponse(response));
  }
}
