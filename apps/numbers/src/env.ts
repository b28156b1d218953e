// Reads the numbers app options from environment variables (used by main.ts; documented in the README).
import { NumbersConfigError } from './errors.js';
import type { NumbersAppOptions } from './options.js';

/** Maps PORT, HOST, SECRET_FILE, CAPSTAN_POD_ROOT, NUMBERS_TITLE to options; unset variables keep the defaults. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): NumbersAppOptions {
  const options: NumbersAppOptions = {};
  if (env.PORT !== undefined && env.PORT !== '') {
    if (!/^\d+$/.test(env.PORT.trim())) {
      throw new NumbersConfigError(`PORT must be a non-negative integer, got ${JSON.stringify(env.PORT)}`, { setting: 'PORT' });
    }
    options.port = Number(env.PORT.trim());
  }
  if (env.HOST) options.host = env.HOST;
  if (env.SECRET_FILE) options.secretFile = env.SECRET_FILE;
  if (env.CAPSTAN_POD_ROOT) options.podRoot = env.CAPSTAN_POD_ROOT;
  if (env.NUMBERS_TITLE) options.fileTitle = env.NUMBERS_TITLE;
  return options;
}
