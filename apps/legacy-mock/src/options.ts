// Options of the legacy-mock server, their defaults and validation.
import { LegacyMockConfigError } from './errors.js';

/** Knobs that make the app misbehave on purpose, so the operator's retries and timeouts can be tested. */
export interface LegacyMockFaults {
  /** Answer 500 to the first N GET /internal/key requests. */
  failFirstKeyRequests?: number;
  /** Answer 500 to the first N POST /internal/secret requests. */
  failFirstSecretRequests?: number;
  /** Wait this long before answering /internal/* requests (to exercise client timeouts). */
  delayMs?: number;
  /** Answer GET /internal/key with a 307 redirect to this URL (a handshake client must not follow it). */
  redirectKeyTo?: string;
}

export interface LegacyMockOptions {
  /** TCP port; 0 picks a free one (tests). Default 3000. */
  port?: number;
  /** Bind address. Default 0.0.0.0; the kubelet simulator passes the pod IP. */
  host?: string;
  /** The app's half of the secret, handed out base64-encoded on GET /internal/key. */
  keyHalf?: string;
  /** What the operations team appends to the half. Default `-acknowledge`. */
  suffix?: string;
  /** Largest accepted POST body in bytes. Default 4096. */
  maxBodyBytes?: number;
  faults?: LegacyMockFaults;
  /** One line per request and per state change; never receives secret material. */
  log?: (line: string) => void;
}

export type ResolvedOptions = Required<Omit<LegacyMockOptions, 'faults'>> & {
  faults: Required<Omit<LegacyMockFaults, 'redirectKeyTo'>> & { redirectKeyTo?: string };
};

export const DEFAULT_PORT = 3000;
export const DEFAULT_KEY_HALF = 'This is @ $3cr3t key';
export const DEFAULT_SUFFIX = '-acknowledge';
export const DEFAULT_MAX_BODY_BYTES = 4096;

export function resolveOptions(options: LegacyMockOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? '0.0.0.0',
    keyHalf: options.keyHalf ?? DEFAULT_KEY_HALF,
    suffix: options.suffix ?? DEFAULT_SUFFIX,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log: options.log ?? (() => {}),
    faults: {
      failFirstKeyRequests: options.faults?.failFirstKeyRequests ?? 0,
      failFirstSecretRequests: options.faults?.failFirstSecretRequests ?? 0,
      delayMs: options.faults?.delayMs ?? 0,
      ...(options.faults?.redirectKeyTo === undefined ? {} : { redirectKeyTo: options.faults.redirectKeyTo }),
    },
  };
  requireInteger('port', resolved.port, 0, 65535);
  requireInteger('maxBodyBytes', resolved.maxBodyBytes, 16, 1024 * 1024);
  requireInteger('faults.failFirstKeyRequests', resolved.faults.failFirstKeyRequests, 0, Number.MAX_SAFE_INTEGER);
  requireInteger('faults.failFirstSecretRequests', resolved.faults.failFirstSecretRequests, 0, Number.MAX_SAFE_INTEGER);
  requireInteger('faults.delayMs', resolved.faults.delayMs, 0, 24 * 3600 * 1000);
  if (resolved.keyHalf === '') throw new LegacyMockConfigError('keyHalf must not be empty', { setting: 'keyHalf' });
  if (resolved.host === '') throw new LegacyMockConfigError('host must not be empty', { setting: 'host' });
  if (resolved.faults.redirectKeyTo !== undefined && !URL.canParse(resolved.faults.redirectKeyTo)) {
    throw new LegacyMockConfigError('faults.redirectKeyTo must be an absolute URL', { setting: 'faults.redirectKeyTo' });
  }
  return resolved;
}

function requireInteger(setting: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LegacyMockConfigError(`${setting} must be an integer between ${min} and ${max}, got ${String(value)}`, { setting });
  }
}
