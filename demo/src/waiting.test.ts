// Unit tests of waitFor: conditions with deadlines, fatal errors, Ctrl-C.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaitTimeoutError } from 'capstan/testing';
import { CommandError, StoppedError } from './errors.js';
import { NotYet, waitFor } from './waiting.js';

test('waitFor returns the first value that is not NotYet, retrying thrown errors', async () => {
  let calls = 0;
  const value = await waitFor(
    'three calls',
    async () => {
      calls += 1;
      if (calls === 1) throw new Error('busy');
      return calls < 3 ? new NotYet('later') : 'done';
    },
    { timeoutMs: 60_000, intervalMs: 1 },
  );
  assert.equal(value, 'done');
  assert.equal(calls, 3);
});

test('waitFor times out naming what it waited for and the last reason', async () => {
  await assert.rejects(
    waitFor('the moon', async () => new NotYet('still night'), { timeoutMs: 20, intervalMs: 5 }),
    (error: unknown) => {
      assert.ok(error instanceof WaitTimeoutError);
      assert.match(error.message, /waiting for the moon \(last: still night\)/);
      return true;
    },
  );
});

test('a CommandError ends the wait at once', async () => {
  let calls = 0;
  await assert.rejects(
    waitFor(
      'an operator',
      async () => {
        calls += 1;
        throw new CommandError('operator stopped (exit code 1)');
      },
      { timeoutMs: 60_000, intervalMs: 1 },
    ),
    CommandError,
  );
  assert.equal(calls, 1);
});

test('an aborted signal stops the wait', async () => {
  const stop = new AbortController();
  const waiting = waitFor('forever', async () => new NotYet('no'), { timeoutMs: 60_000, intervalMs: 10_000, signal: stop.signal });
  stop.abort();
  await assert.rejects(waiting, StoppedError);
});
