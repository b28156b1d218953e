// Unit tests of the environment mapping: defaults, every variable, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionsFromEnv } from './env.js';

test('an empty environment keeps every default', () => {
  assert.deepEqual(optionsFromEnv({}), { faults: {} });
});

test('every documented variable maps to its option', () => {
  const options = optionsFromEnv({
    PORT: '3100',
    HOST: '10.0.0.7',
    LEGACY_KEY_HALF: 'half',
    LEGACY_SUFFIX: '-ops',
    LEGACY_MAX_BODY_BYTES: '512',
    LEGACY_FAIL_FIRST_N: '3',
    LEGACY_FAIL_SECRET_FIRST_N: '1',
    LEGACY_DELAY_MS: '250',
    LEGACY_REDIRECT_KEY_TO: 'http://example.invalid/',
  });
  assert.deepEqual(options, {
    port: 3100,
    host: '10.0.0.7',
    keyHalf: 'half',
    suffix: '-ops',
    maxBodyBytes: 512,
    faults: { failFirstKeyRequests: 3, failFirstSecretRequests: 1, delayMs: 250, redirectKeyTo: 'http://example.invalid/' },
  });
});

test('non-numeric numbers are refused, naming the variable', () => {
  assert.throws(() => optionsFromEnv({ PORT: 'http' }), { name: 'LegacyMockConfigError', setting: 'PORT' });
  assert.throws(() => optionsFromEnv({ LEGACY_FAIL_FIRST_N: '-1' }), { setting: 'LEGACY_FAIL_FIRST_N' });
});

test('an empty key half is refused without echoing any value', () => {
  assert.throws(() => optionsFromEnv({ LEGACY_KEY_HALF: '' }), { setting: 'LEGACY_KEY_HALF' });
});
