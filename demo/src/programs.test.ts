// Unit tests of runProgram: output capture, stdin, clear errors, Ctrl-C.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandError, StoppedError } from './errors.js';
import { runProgram } from './programs.js';

test('runProgram captures stdout and stderr and feeds stdin', async () => {
  const out = await runProgram(process.execPath, {
    args: ['-e', 'process.stdin.pipe(process.stdout); process.stderr.write("note")'],
    input: 'hello',
  });
  assert.deepEqual(out, { stdout: 'hello', stderr: 'note' });
});

test('a non-zero exit is a CommandError naming the program, its verb and the end of stderr, not the kubeconfig', async () => {
  await assert.rejects(
    runProgram(process.execPath, { args: ['-e', 'console.error("boom"); process.exit(3)', '--', '--kubeconfig', '/secret/path'] }),
    (error: unknown) => {
      assert.ok(error instanceof CommandError);
      assert.equal(error.exitCode, 3);
      assert.match(error.message, /exited with 3:\nboom/);
      assert.ok(!error.message.includes('/secret/path'));
      return true;
    },
  );
});

test('an aborted signal stops the program with a StoppedError', async () => {
  const stop = new AbortController();
  const running = runProgram(process.execPath, { args: ['-e', 'setTimeout(() => {}, 60_000)'], signal: stop.signal });
  stop.abort();
  await assert.rejects(running, StoppedError);
});

test('a program that cannot start is a CommandError, and nothing lingers', async () => {
  await assert.rejects(runProgram('/nonexistent/kubectl', { args: ['version'] }), /could not run/);
});

test('a program past its timeout is killed and says so', async () => {
  await assert.rejects(
    runProgram(process.execPath, { args: ['-e', 'setTimeout(() => {}, 60_000)'], timeoutMs: 200 }),
    /timed out after 0 s/,
  );
});
