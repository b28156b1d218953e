// Unit tests of the environment mapping of the numbers app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionsFromEnv } from './env.js';

test('an empty environment keeps every default', () => {
  assert.deepEqual(optionsFromEnv({}), {});
});

test('every documented variable maps to its option', () => {
  assert.deepEqual(
    optionsFromEnv({ PORT: '5001', HOST: '10.1.2.3', SECRET_FILE: '/etc/numbers', CAPSTAN_POD_ROOT: '/tmp/pod', NUMBERS_TITLE: 'Siena' }),
    { port: 5001, host: '10.1.2.3', secretFile: '/etc/numbers', podRoot: '/tmp/pod', fileTitle: 'Siena' },
  );
});

test('a bad PORT is refused, naming the variable', () => {
  assert.throws(() => optionsFromEnv({ PORT: 'five' }), { name: 'NumbersConfigError', setting: 'PORT' });
});
