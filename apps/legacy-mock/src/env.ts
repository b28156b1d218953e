// Reads the legacy-mock options from environment variables (used by main.ts; documented in the README).
import { LegacyMockConfigError } from './errors.js';
import type { LegacyMockOptions } from './options.js';

/** Maps PORT, HOST, LEGACY_* variables to options; unset variables keep the defaults. Secrets are never echoed in errors. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): LegacyMockOptions {
  const options: LegacyMockOptions = { faults: {} };
  const port = integer(env, 'PORT');
  if (port !== undefined) options.port = port;
  if (env.HOST) options.host = env.HOST;
  if (env.LEGACY_KEY_HALF !== undefined) {
    if (env.LEGACY_KEY_HALF === '') throw new LegacyMockConfigError('LEGACY_KEY_HALF is set but empty', { setting: 'LEGACY_KEY_HALF' });
    options.keyHalf = env.LEGACY_KEY_HALF;
  }
  if (env.LEGACY_SUFFIX !== undefined) options.suffix = env.LEGACY_SUFFIX;
  const maxBody = integer(env, 'LEGACY_MAX_BODY_BYTES');
  if (maxBody !== undefined) options.maxBodyBytes = maxBody;
  const faults = options.faults ?? {};
  const failKey = integer(env, 'LEGACY_FAIL_FIRST_N');
  if (failKey !== undefined) faults.failFirstKeyRequests = failKey;
  const failSecret = integer(env, 'LEGACY_FAIL_SECRET_FIRST_N');
  if (failSecret !== undefined) faults.failFirstSecretRequests = failSecret;
  const delay = integer(env, 'LEGACY_DELAY_MS');
  if (delay !== undefined) faults.delayMs = delay;
  if (env.LEGACY_REDIRECT_KEY_TO) faults.redirectKeyTo = env.LEGACY_REDIRECT_KEY_TO;
  return options;
}

function integer(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) {
    throw new LegacyMockConfigError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`, { setting: name });
  }
  return Number(raw.trim());
}
