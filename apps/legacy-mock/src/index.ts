// Public entry of @capstan/legacy-mock: the in-process server factory other packages' tests start.
export { createLegacyMock, APP_NAME, APP_VERSION, type LegacyMock, type LegacyMockStats } from './server.js';
export { DEFAULT_KEY_HALF, DEFAULT_SUFFIX, DEFAULT_PORT, type LegacyMockOptions, type LegacyMockFaults } from './options.js';
export { optionsFromEnv } from './env.js';
export { encodeKeyHalf, judgeSecret, type HandshakeVerdict } from './handshake.js';
export { LegacyMockConfigError } from './errors.js';
