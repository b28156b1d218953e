// The HTTP secret handshake with one legacy process: fetch its key half, append the suffix, post the secret.
import { isIP } from 'node:net';
import { HandshakeError, type HandshakeStep } from './errors.js';

export interface HandshakeOptions {
  /** The pod IP (v4 or v6). */
  host: string;
  port: number;
  /** The half only operations knows; never logged nor put into errors. */
  suffix: string;
  /** Bound on each request, headers and body included. */
  timeoutMs: number;
  /** Bound on each response body; a legacy app answering megabytes is broken, not chatty. */
  maxBodyBytes?: number;
  /** Aborts the whole handshake (shutdown, pod gone). */
  signal?: AbortSignal;
}

export interface HandshakeResult {
  /** HTTP status of POST /internal/secret (2xx). */
  status: number;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Performs the handshake; resolves when the app accepted the secret, else throws a HandshakeError. */
export async function performHandshake(options: HandshakeOptions): Promise<HandshakeResult> {
  const base = baseUrl(options.host, options.port);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const keyResponse = await request('fetch-key', `${base}/internal/key`, { method: 'GET' }, options);
  if (keyResponse.status !== 200) {
    throw new HandshakeError(`GET /internal/key answered HTTP ${keyResponse.status}`, {
      step: 'fetch-key',
      failure: 'http-status',
      status: keyResponse.status,
    });
  }
  const keyText = await readBody('fetch-key', keyResponse.body, maxBodyBytes);
  const half = decodeKeyHalf(keyText);

  const secret = Buffer.concat([half, Buffer.from(options.suffix, 'utf8')]).toString('base64');
  const secretResponse = await request(
    'send-secret',
    `${base}/internal/secret`,
    {
      method: 'POST',
      body: secret,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    },
    options,
  );
  // Drain (bounded) so the connection can be reused; the body itself is not trusted in messages.
  await readBody('send-secret', secretResponse.body, maxBodyBytes).catch(() => undefined);
  if (secretResponse.status < 200 || secretResponse.status > 299) {
    throw new HandshakeError(`POST /internal/secret answered HTTP ${secretResponse.status}`, {
      step: 'send-secret',
      failure: 'http-status',
      status: secretResponse.status,
    });
  }
  return { status: secretResponse.status };
}

/** The URL origin of a pod IP; refuses anything that is not a literal IP so a hostile value cannot pick a host. */
export function baseUrl(host: string, port: number): string {
  const family = isIP(host);
  if (family === 0) throw new TypeError(`not an IP address: ${JSON.stringify(host)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`not a TCP port: ${port}`);
  return family === 6 ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** Decodes the app's base64 key half; whitespace around it (a trailing newline) is tolerated. */
function decodeKeyHalf(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.length === 0 || !BASE64.test(trimmed)) {
    throw new HandshakeError('GET /internal/key did not answer a base64 key half', {
      step: 'decode-key',
      failure: 'bad-key',
    });
  }
  return Buffer.from(trimmed, 'base64');
}

async function request(step: HandshakeStep, url: string, init: RequestInit, options: HandshakeOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const what = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal, redirect: 'manual' });
  } catch (error) {
    throw transportError(step, what, error, {
      timedOut: timeout.aborted,
      aborted: options.signal?.aborted ?? false,
      timeoutMs: options.timeoutMs,
    });
  }
  if (response.status >= 300 && response.status <= 399) {
    await response.body?.cancel().catch(() => undefined);
    throw new HandshakeError(`${what} answered a redirect (HTTP ${response.status}); redirects are not followed`, {
      step,
      failure: 'redirect',
      status: response.status,
    });
  }
  return response;
}

async function readBody(step: HandshakeStep, body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new HandshakeError(`response body larger than ${maxBytes} bytes`, { step, failure: 'too-large' });
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HandshakeError) throw error;
    throw transportError(step, 'reading the response', error, { timedOut: isTimeout(error), aborted: false, timeoutMs: undefined });
  }
  return Buffer.concat(chunks).toString('utf8');
}

function transportError(
  step: HandshakeStep,
  what: string,
  error: unknown,
  info: { timedOut: boolean; aborted: boolean; timeoutMs: number | undefined },
): HandshakeError {
  if (info.aborted) return new HandshakeError(`${what} aborted`, { step, failure: 'aborted', cause: error });
  if (info.timedOut || isTimeout(error)) {
    const bound = info.timeoutMs === undefined ? '' : ` after ${info.timeoutMs} ms`;
    return new HandshakeError(`${what} timed out${bound}`, { step, failure: 'timeout', cause: error });
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new HandshakeError(`${what} aborted`, { step, failure: 'aborted', cause: error });
  }
  const code = networkCode(error);
  return new HandshakeError(`${what} failed: ${code ?? 'connection error'}`, {
    step,
    failure: 'connection',
    cause: error,
    ...(code ? { code } : {}),
  });
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/** The errno-style code (ECONNREFUSED, EHOSTUNREACH...) fetch hides in its cause chain. */
function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
