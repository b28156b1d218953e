// Public entry of @capstan/numbers: the in-process app factory (the demo and tests start it).
export { createNumbersApp, type NumbersApp } from './server.js';
export { DEFAULT_PORT, DEFAULT_SECRET_FILE, type NumbersAppOptions } from './options.js';
export { optionsFromEnv } from './env.js';
export { resolveSecretPath, readSecretFile, type SecretRead } from './secret-file.js';
export { renderPage, escapeHtml } from './page.js';
export { NumbersConfigError } from './errors.js';
