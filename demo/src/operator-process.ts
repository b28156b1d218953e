// An operator as a child process of the demo (its Deployment's args, its ServiceAccount's kubeconfig), never orphaned.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { CommandError } from './errors.js';

const SETPRIV = '/usr/bin/setpriv';
const hasSetpriv = (() => {
  try {
    accessSync(SETPRIV, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

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
  const argv = [process.execPath, '--conditions=development', '--import', import.meta.resolve('tsx'), options.program, ...options.args];
  // pdeathsig: the kernel kills the operator if the demo dies, even by SIGKILL; its own process group lets
  // stop() reach anything it starts.
  const [command, ...args] = hasSetpriv ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : argv;
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command!, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.on('error', (error) => {
      exit = `could not start: ${error.message}`;
      resolve();
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    get pid() {
      return child.pid ?? -1;
    },
    exitedWith: () => exit,
    logTail: () => {
      try {
        return readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 10_000) {
      if (exit !== undefined) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Fails with the operator's own last log lines if it has exited (e.g. bad settings, no permission). */
export function assertRunning(op: OperatorProcess, name: string): void {
  const exit = op.exitedWith();
  if (exit !== undefined) throw new CommandError(`${name} stopped (${exit}):\n${op.logTail()}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
