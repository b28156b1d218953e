// Options of the numbers app, their defaults and validation.
import { NumbersConfigError } from './errors.js';

export interface NumbersAppOptions {
  /** TCP port; 0 picks a free one (tests). Default 5000. */
  port?: number;
  /** Bind address. Default 0.0.0.0; the kubelet simulator passes the pod IP. */
  host?: string;
  /** The mounted secret file. Default /app/secret.txt. */
  secretFile?: string;
  /** When set, absolute `secretFile` paths are resolved under this directory (local kubelet simulator). */
  podRoot?: string;
  /** Largest part of the file shown. Default 64 KiB. */
  maxBytes?: number;
  /** The name in the header, like an MDR file. Default "Cold Harbor". */
  fileTitle?: string;
  /** One line per request; never receives the secret's contents. */
  log?: (line: string) => void;
}

export type ResolvedNumbersOptions = Required<Omit<NumbersAppOptions, 'podRoot'>> & { podRoot?: string };

export const DEFAULT_PORT = 5000;
export const DEFAULT_SECRET_FILE = '/app/secret.txt';

export function resolveOptions(options: NumbersAppOptions): ResolvedNumbersOptions {
  const resolved: ResolvedNumbersOptions = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? '0.0.0.0',
    secretFile: options.secretFile ?? DEFAULT_SECRET_FILE,
    maxBytes: options.maxBytes ?? 64 * 1024,
    fileTitle: options.fileTitle ?? 'Cold Harbor',
    log: options.log ?? (() => {}),
    ...(options.podRoot ? { podRoot: options.podRoot } : {}),
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw new NumbersConfigError(`port must be an integer between 0 and 65535, got ${String(resolved.port)}`, { setting: 'port' });
  }
  if (!Number.isInteger(resolved.maxBytes) || resolved.maxBytes < 1 || resolved.maxBytes > 16 * 1024 * 1024) {
    throw new NumbersConfigError(`maxBytes must be an integer between 1 and 16 MiB, got ${String(resolved.maxBytes)}`, {
      setting: 'maxBytes',
    });
  }
  if (resolved.host === '') throw new NumbersConfigError('host must not be empty', { setting: 'host' });
  return resolved;
}
