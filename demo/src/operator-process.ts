// An operator as a child process of the demo (its Deployment's args, its ServiceAccount's kubeconfig), never orphaned.
import { readFileSync } from 'node:fs';
import { spawnManaged, type ManagedProcess } from '@capstan/localcluster';
import { CommandError } from './errors.js';

export interface OperatorProcessOptions {
  name: string;
  /** The operator's TypeScript entry (run from sources, as the kubelet simulator runs project images). */
  program: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
}

export interface OperatorProcess {
  readonly pid: number;
  exitedWith(): string | undefined;
  logTail(): string;
  stop(graceMs?: number): Promise<void>;
}

export function startOperatorProcess(options: OperatorProcessOptions): OperatorProcess {
  // localcluster's managed processes: own process group (stop() reaches all of it) and pdeathsig, so the
  // kernel kills the operator if the demo dies, even by SIGKILL.
  const proc: ManagedProcess = spawnManaged({
    name: options.name,
    command: process.execPath,
    args: ['--conditions=development', '--import', import.meta.resolve('tsx'), options.program, ...options.args],
    env: options.env,
    cwd: options.cwd,
    logFile: options.logFile,
  });
  let exit: string | undefined;
  void proc.exited.then((e) => {
    exit = e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
  });
  return {
    pid: proc.pid,
    exitedWith: () => exit,
    logTail: () => {
      try {
        return readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 10_000) {
      await proc.stop(graceMs);
    },
  };
}

/** Fails with the operator's own last log lines if it has exited (e.g. bad settings, no permission). */
export function assertRunning(op: OperatorProcess, name: string): void {
  const exit = op.exitedWith();
  if (exit !== undefined) throw new CommandError(`${name} stopped (${exit}):\n${op.logTail()}`);
}
