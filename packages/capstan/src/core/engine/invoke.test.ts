// Unit tests of outcome classification: success with patch, TemporaryError delays, PermanentError, retries exhausted, timeouts, shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient } from '../../client/surface.js';
import { PermanentError, TemporaryError } from '../../structs/errors.js';
import type { ResolvedResource } from '../../structs/objects.js';
import { invoke } from './invoke.js';
import { silentLogger } from '../logging.js';
import type { Handler } from '../types.js';

const resource: ResolvedResource = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
  hasStatus: false,
};
const base = (retry = 0, signal = new AbortController().signal) => ({
  cause: 'create' as const,
  body: { metadata: { name: 'a', namespace: 'n', uid: 'u' } },
  retry,
  signal,
  client: {} as ApiClient,
  events: { info: async () => {}, warn: async () => {} },
  logger: silentLogger,
  resource,
});

test('success returns the value and the accumulated patch', async () => {
  const fn: Handler = (ctx) => {
    ctx.patch.status.x = 1;
    return { ok: true };
  };
  const r = await invoke(fn, base(), {});
  assert.equal(r.outcome, 'success');
  assert.deepEqual(r.value, { ok: true });
  assert.deepEqual(r.patch, { status: { x: 1 } });
});

test('TemporaryError uses its delay; other errors back off; PermanentError and exhausted retries are permanent', async () => {
  const temp = await invoke(
    () => {
      throw new TemporaryError('later', { delayMs: 1234 });
    },
    base(),
    {},
  );
  assert.deepEqual([temp.outcome, temp.delayMs], ['retry', 1234]);
  const plain = await invoke(
    () => {
      throw new Error('x');
    },
    base(3),
    { backoff: { baseMs: 10, jitter: 0 } },
  );
  assert.deepEqual([plain.outcome, plain.delayMs], ['retry', 80]);
  const perm = await invoke(
    () => {
      throw new PermanentError('never');
    },
    base(),
    {},
  );
  assert.equal(perm.outcome, 'permanent');
  const exhausted = await invoke(
    () => {
      throw new Error('x');
    },
    base(2),
    { retries: 2 },
  );
  assert.equal(exhausted.outcome, 'permanent');
  const notYet = await invoke(
    () => {
      throw new Error('x');
    },
    base(1),
    { retries: 2 },
  );
  assert.equal(notYet.outcome, 'retry');
});

test('a timeout aborts the handler signal and is retried; a shutdown is neither success nor failure', async () => {
  let aborted = false;
  const slow: Handler = (ctx) =>
    new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve((aborted = true)), { once: true }));
  const timed = await invoke(slow, base(), { timeoutMs: 20 });
  assert.equal(timed.outcome, 'timeout');
  assert.ok(aborted);
  const stop = new AbortController();
  const pending = invoke(() => new Promise(() => {}), base(0, stop.signal), {});
  stop.abort();
  assert.equal((await pending).outcome, 'aborted');
});
