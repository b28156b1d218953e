// Runs the CLI with an in-memory CliIo (tests, embedders): arguments in, exit code and captured output out.
import type { CliIo } from './io.js';
import { runCli } from './run.js';

/** What a run printed, and its exit code. */
export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `age-secret args` in `cwd` with exactly `env` (nothing of this process's environment) and `stdin`. */
export async function runCaptured(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; stdin?: string },
): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    readStdin: async () => options.stdin ?? '',
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: options.env,
    cwd: options.cwd,
  };
  return { code: await runCli(args, io), stdout, stderr };
}
