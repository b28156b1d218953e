// Runs a helper program (kubectl, the age-secret CLI) to completion and captures its output.
import { spawn } from 'node:child_process';
import { CommandError, StoppedError } from './errors.js';

export interface RunProgramOptions {
  args: string[];
  /** Written to the program's stdin (then closed). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** Kill the program after this long (default 120 s: kubectl on a loaded 2-core machine can be slow). */
  timeoutMs?: number;
}

export interface ProgramOutput {
  stdout: string;
  stderr: string;
}

/** The last lines of stderr, for error messages (the programs run here never print secret values there). */
const tail = (text: string) => text.trim().split('\n').slice(-6).join('\n').slice(-1500);

export function runProgram(command: string, options: RunProgramOptions): Promise<ProgramOutput> {
  // The kubeconfig path is noise in a message; the verb and its first arguments say what failed.
  const shown = options.args.filter((a, i) => !a.startsWith('--kubeconfig') && options.args[i - 1] !== '--kubeconfig');
  const label = `${command.split('/').pop()} ${shown.slice(0, 4).join(' ')}`;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new StoppedError());
    const child = spawn(command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    // Our own timer rather than spawn's `timeout`, which outlives a program that never started (ENOENT).
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // the program may exit before reading everything; its exit code tells
    child.stdin.end(options.input ?? '');
    child.on('error', (cause) => {
      clearTimeout(timer);
      if (options.signal?.aborted) reject(new StoppedError({ cause }));
      else reject(new CommandError(`${label}: could not run (${cause.message})`, { cause }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (options.signal?.aborted) return reject(new StoppedError());
      if (code === 0) return resolve({ stdout, stderr });
      const why = timedOut
        ? `timed out after ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s`
        : signal
          ? `was killed (${signal})`
          : `exited with ${code}`;
      reject(new CommandError(`${label} ${why}:\n${tail(stderr) || tail(stdout)}`, { exitCode: code }));
    });
  });
}
