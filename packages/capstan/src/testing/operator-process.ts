// An operator's entry as a child process: started, stopped (TERM) or killed (-9), restarted, its log and probes read.
import { readFileSync } from 'node:fs';
import { waitUntil } from '../kits/wait-until.js';

/** How a run ended. */
export interface ProcessExit {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  /** The signal that ended the process; null when it exited by itself. */
  signal: NodeJS.Signals | null;
}

/** What an `OperatorProcess` runs: program, args, env, cwd, log file, node flags and probe port. */
export interface OperatorProcessOptions {
  /** For messages (and the process harness's bookkeeping). */
  name: string;
  /** The entry: a `.ts` file runs with `--import tsx --conditions=development` (sources, as in development), else plain node. */
  program: string;
  /** The arguments after the entry. */
  args?: string[];
  /** The whole environment of the process. Default: the caller's. */
  env?: NodeJS.ProcessEnv;
  /** Working directory (tsx and relative programs resolve from it). Default: the caller's. */
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** V8 flags before the entry (e.g. the images' heap settings, so memory is measured as shipped). */
  nodeFlags?: readonly string[];
  /** The port of the operator's /healthz, /readyz and /metrics: `ready()` and `fetch()` use it. */
  healthPort?: number;
  /** Cgroup directories every run joins before the operator starts (e.g. to cut its network by cgroup). */
  cgroups?: readonly string[];
}

/** What the harness needs of a managed child: localcluster's processes (own group, killed with us, even by SIGKILL). */
interface Managed {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  stop(graceMs?: number): Promise<ProcessExit>;
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
}

const LOCALCLUSTER = '@capstan/localcluster';

/** What spawnManaged takes (see @capstan/localcluster). */
interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  cgroups?: readonly string[];
}

/** The operator exited or never answered; the message carries its last log lines. */
export class OperatorProcessError extends Error {}

/**
 * One operator process at a time (start again after a stop or kill). Never orphaned: it runs in its own
 * process group under a parent-death signal, so it dies with the test, bench or demo that started it.
 */
export class OperatorProcess {
  /** The options, `args` always present (flags may be appended before a start). */
  readonly options: OperatorProcessOptions & {
    /** The arguments after the entry (empty when none were given). */
    args: string[];
  };
  /** How many times it was started, killed with SIGKILL, stopped with SIGTERM. */
  readonly counts = {
    /** Runs started. */
    starts: 0,
    /** Runs ended by `kill()`. */
    kills: 0,
    /** Runs ended by `stop()`. */
    terms: 0,
  };
  #proc: Managed | undefined;
  #exit: ProcessExit | undefined;

  constructor(options: OperatorProcessOptions) {
    this.options = { ...options, args: [...(options.args ?? [])] };
  }

  /** The process id of the current (or last) run; -1 before the first start. */
  get pid(): number {
    return this.#proc?.pid ?? -1;
  }

  /** Whether a run is going on. */
  get running(): boolean {
    return this.#proc !== undefined && this.#exit === undefined;
  }

  /** The exit of the last run, once it ended. */
  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /** Settles when the current run ends. */
  get exited(): Promise<ProcessExit> {
    return this.#proc?.exited ?? Promise.resolve({ code: 0, signal: null });
  }

  /** Start (no-op while running). */
  async start(): Promise<void> {
    if (this.running) return;
    // The project's process harness lives with the local control plane, an optional peer of capstan: loaded
    // only here, at run time, so capstan builds and runs without it (typed by the Managed interface above).
    const { spawnManaged } = (await import(LOCALCLUSTER)) as { spawnManaged: (options: SpawnOptions) => Managed };
    const o = this.options;
    const entry = o.program.endsWith('.ts') ? ['--conditions=development', '--import', 'tsx', o.program] : [o.program];
    const proc = spawnManaged({
      name: o.name,
      command: process.execPath,
      args: [...(o.nodeFlags ?? []), ...entry, ...(o.args ?? [])],
      // Without env or cwd the child inherits the caller's: the library itself never reads the environment.
      ...(o.env ? { env: o.env } : {}),
      ...(o.cwd ? { cwd: o.cwd } : {}),
      ...(o.cgroups?.length ? { cgroups: o.cgroups } : {}),
      logFile: o.logFile,
    });
    this.#proc = proc;
    this.#exit = undefined;
    void proc.exited.then((exit) => {
      if (this.#proc === proc) this.#exit = exit;
    });
    this.counts.starts++;
  }

  /** kill -9: no shutdown code runs, in-flight writes are cut. */
  async kill(): Promise<ProcessExit> {
    if (!this.running) return this.#exit ?? { code: null, signal: null };
    this.counts.kills++;
    return this.#settle(await this.#proc!.kill('SIGKILL'));
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<ProcessExit> {
    if (!this.running) return this.#exit ?? { code: null, signal: null };
    this.counts.terms++;
    return this.#settle(await this.#proc!.stop(graceMs));
  }

  /** Resolves with the time it took once /readyz answers 200; throws with the log's tail if it exits or times out first. */
  async ready(timeoutMs = 180_000): Promise<number> {
    const started = performance.now();
    try {
      await waitUntil(async () => (await this.fetch('/readyz').catch(() => undefined))?.status === 200, {
        timeoutMs,
        intervalMs: 50,
        failFast: () => !this.running,
        message: `${this.options.name} ready`,
      });
    } catch (error) {
      const why = this.running ? `not ready within ${timeoutMs} ms` : `exited (${this.describeExit()}) before it was ready`;
      throw new OperatorProcessError(`${this.options.name} ${why}\n--- log (tail) ---\n${this.logTail()}`, { cause: error });
    }
    return performance.now() - started;
  }

  /** GET a path of the health server (/readyz, /metrics...). */
  async fetch(path: string): Promise<{
    /** The HTTP status code. */
    status: number;
    /** The response body. */
    text: string;
  }> {
    if (!this.options.healthPort) throw new OperatorProcessError(`${this.options.name} has no healthPort`);
    const res = await fetch(`http://127.0.0.1:${this.options.healthPort}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, text: await res.text() };
  }

  /** How the last run ended, in words; undefined while it runs. */
  describeExit(): string | undefined {
    const e = this.#exit;
    return e ? (e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`) : undefined;
  }

  /** The whole log file (stdout and stderr of every run); empty when it cannot be read. */
  log(): string {
    try {
      return readFileSync(this.options.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** The log's last lines. */
  logTail(lines = 15): string {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }

  #settle(exit: ProcessExit): ProcessExit {
    this.#exit = exit;
    return exit;
  }
}
