// An operator's main.ts as a child process of the fault suite: started, killed (-9 or TERM), restarted, its log read.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnManaged, type Exit, type ManagedProcess } from '@capstan/localcluster';

export { freePort } from '@capstan/localcluster';
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface OperatorProcessOptions {
  name: string;
  /** The operator's main.ts, relative to the repository root. */
  program: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Port of its /healthz, /readyz and /metrics. */
  healthPort: number;
}

export class OperatorProcess {
  readonly options: OperatorProcessOptions;
  /** How many times it was started, killed with SIGKILL, stopped with SIGTERM. */
  readonly counts = { starts: 0, kills: 0, terms: 0 };
  #proc: ManagedProcess | undefined;
  #exit: Exit | undefined;

  constructor(options: OperatorProcessOptions) {
    this.options = options;
  }

  get pid(): number {
    return this.#proc?.pid ?? -1;
  }

  get running(): boolean {
    return this.#proc !== undefined && this.#exit === undefined;
  }

  /** The exit of the last run, once it ended. */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  start(): void {
    if (this.running) return;
    const env = { ...process.env, ...this.options.env };
    delete env.KUBECONFIG;
    // spawnManaged: the kernel kills the operator if the suite dies, even by SIGKILL; its own process group.
    const proc = spawnManaged({
      name: this.options.name, command: process.execPath, cwd: REPO_ROOT, env, logFile: this.options.logFile,
      args: ['--conditions=development', '--import', 'tsx', this.options.program, ...this.options.args],
    });
    this.#proc = proc;
    this.#exit = undefined;
    void proc.exited.then((exit) => {
      if (this.#proc === proc) this.#exit = exit;
    });
    this.counts.starts++;
  }

  /** kill -9: no shutdown code runs, in-flight writes are cut. */
  async kill(): Promise<Exit> {
    if (!this.running) return this.#exit ?? { code: null, signal: null };
    this.counts.kills++;
    return this.#settle(await this.#proc!.kill('SIGKILL'));
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<Exit> {
    if (!this.running) return this.#exit ?? { code: null, signal: null };
    this.counts.terms++;
    return this.#settle(await this.#proc!.stop(graceMs));
  }

  /** Resolves with the exit when the process ends (for "it never crashed" checks). */
  get exited(): Promise<Exit> {
    return this.#proc?.exited ?? Promise.resolve({ code: 0, signal: null });
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

  #settle(exit: Exit): Exit {
    this.#exit = exit;
    return exit;
  }
}
