// An operator's main.ts as a child process of the fault suite: started, killed (-9 or TERM), restarted, its log read.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

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
  /** The operator's main.ts, relative to the repository root. */
  program: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Port of its /healthz and /readyz (and /metrics when it has them). */
  healthPort: number;
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export class OperatorProcess {
  readonly options: OperatorProcessOptions;
  /** How many times it was started, killed with SIGKILL, stopped with SIGTERM. */
  readonly counts = { starts: 0, kills: 0, terms: 0 };
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> = Promise.resolve({ code: 0, signal: null });
  #exit: Exit | undefined;

  constructor(options: OperatorProcessOptions) {
    this.options = options;
  }

  get pid(): number {
    return this.#child?.pid ?? -1;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#exit === undefined;
  }

  /** The exit of the last run, once it ended. */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  start(): void {
    if (this.running) return;
    const argv = [process.execPath, '--conditions=development', '--import', 'tsx', this.options.program, ...this.options.args];
    // pdeathsig: the kernel kills the operator if the suite dies, even by SIGKILL.
    const [command, ...args] = hasSetpriv ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : argv;
    const fd = openSync(this.options.logFile, 'a');
    try {
      const env = { ...process.env, ...this.options.env };
      delete env.KUBECONFIG;
      this.#child = spawn(command!, args, { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    this.#exit = undefined;
    const child = this.#child;
    this.#exited = new Promise<Exit>((resolve) => {
      child.on('exit', (code, signal) => resolve((this.#exit = { code, signal })));
      child.on('error', () => resolve((this.#exit = { code: 127, signal: null })));
    });
    this.counts.starts++;
  }

  /** kill -9: no shutdown code runs, in-flight writes are cut. */
  async kill(): Promise<Exit> {
    if (!this.running) return this.#exit ?? { code: null, signal: null };
    this.#signal('SIGKILL');
    this.counts.kills++;
    return this.#exited;
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<Exit> {
    if (!this.running) return this.#exit ?? { code: null, signal: null };
    this.#signal('SIGTERM');
    this.counts.terms++;
    const timer = setTimeout(() => this.#signal('SIGKILL'), graceMs);
    const exit = await this.#exited;
    clearTimeout(timer);
    return exit;
  }

  /** Resolves with the exit when the process ends (for "it never crashed" checks). */
  get exited(): Promise<Exit> {
    return this.#exited;
  }

  async readyz(): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${this.options.healthPort}/readyz`, { signal: AbortSignal.timeout(3000) });
    await res.text();
    return res.status;
  }

  async scrape(path: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${this.options.healthPort}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, text: await res.text() };
  }

  log(): string {
    try {
      return readFileSync(this.options.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 15): string {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
