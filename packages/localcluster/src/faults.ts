// Fault injection on a local cluster's control plane: kill/restart or freeze kube-apiserver, kill/restart etcd, compact etcd (410 Gone).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeApi } from './api.js';
import { apiserverReady } from './apiserver.js';
import { etcdHealthy } from './etcd.js';
import { LocalClusterError } from './errors.js';
import { canListen } from './ports.js';
import { spawnManaged, type ManagedProcess } from './processes.js';
import { waitReady } from './readiness.js';

/** What the faults need of a cluster: its state directory and admin credentials (a LocalCluster has them). */
export interface FaultTarget {
  /** The cluster's state directory, where its `pgids` file and logs are. */
  readonly dir: string;
  /** The API server's URL. */
  readonly server: string;
  /** A bearer token with cluster-admin rights, to check a restarted API server's readiness. */
  readonly adminToken: string;
  /** PEM of the API server's CA. */
  readonly ca: string;
}

/** Options of `ControlPlaneFaults.restartApiServer` and `restartEtcd`: flags to add, the signal that kills it, and a timeout. */
export interface RestartOptions {
  /** Extra flags for the new process, e.g. `--watch-cache=false`. They replace flags of the same name. */
  extraArgs?: string[];
  /** Signal that ends the old process (default SIGKILL: a crash, no graceful drain). */
  signal?: NodeJS.Signals;
  /** How long the new process may take to become ready (default 120 s: the machines are loaded). */
  timeoutMs?: number;
}

/** A fault could not be injected: the control-plane process was not found or did not come back. */
export class FaultInjectionError extends LocalClusterError {
  /** `FaultInjectionError`: names the error in messages and stack traces. */
  override name = 'FaultInjectionError';
}

const SETPRIV = '/usr/bin/setpriv';

function cmdlineOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

/** `setpriv --pdeathsig KILL -- <cmd> args` or `<cmd> args` -> [cmd, ...args]. */
function withoutSetpriv(argv: string[]): string[] {
  if (argv[0] !== SETPRIV) return argv;
  const sep = argv.indexOf('--');
  return sep >= 0 ? argv.slice(sep + 1) : argv.slice(1);
}

const flagName = (arg: string) => arg.split('=')[0] ?? arg;

/**
 * Controls the control-plane processes of one local cluster. Processes are found through the cluster's
 * `pgids` file and `/proc/<pid>/cmdline`, so it works on a cluster started in this process or another one.
 * API servers it restarts are its own children: call `close()` before the cluster's `stop()`.
 */
export class ControlPlaneFaults {
  readonly #target: FaultTarget;
  readonly #started: ManagedProcess[] = [];
  #frozen: number | undefined;
  /** Counts of what was injected, for reports. */
  readonly injected = {
    /** API servers killed (restarts included). */
    apiServerKills: 0,
    /** API servers started again and ready. */
    apiServerRestarts: 0,
    /** API server freezes (SIGSTOP). */
    freezes: 0,
    /** etcd compactions. */
    compactions: 0,
    /** etcd processes killed (restarts included). */
    etcdKills: 0,
    /** etcd started again and healthy. */
    etcdRestarts: 0,
  };
  /** The command line and environment of the etcd `killEtcd` ended, for `restartEtcd`. */
  #killedEtcd: Launch | undefined;

  constructor(target: FaultTarget) {
    this.#target = target;
  }

  /** The pid of the running kube-apiserver and its command line (without the setpriv wrapper). */
  apiServer(): {
    /** The process id. */
    pid: number;
    /** The command line, the binary first. */
    argv: string[];
  } {
    const found = this.#find('kube-apiserver');
    if (!found) throw new FaultInjectionError(`no running kube-apiserver for the cluster in ${this.#target.dir}`);
    return found;
  }

  /** The pid of the running etcd and its command line (without the setpriv wrapper). */
  etcd(): {
    /** The process id. */
    pid: number;
    /** The command line, the binary first. */
    argv: string[];
  } {
    const found = this.#find('etcd');
    if (!found) throw new FaultInjectionError(`no running etcd for the cluster in ${this.#target.dir}`);
    return found;
  }

  /** The URL of the cluster's etcd (from the API server's --etcd-servers). */
  etcdUrl(): string {
    const arg = this.apiServer().argv.find((a) => a.startsWith('--etcd-servers='));
    const url = arg?.slice('--etcd-servers='.length).split(',')[0];
    if (!url) throw new FaultInjectionError('kube-apiserver has no --etcd-servers flag');
    return url;
  }

  /** Kills the API server (default SIGKILL) and waits until the process is gone. */
  async killApiServer(signal: NodeJS.Signals = 'SIGKILL'): Promise<{
    /** The killed process's command line, to start it again with `startApiServer`. */
    argv: string[];
  }> {
    const { pid, argv } = this.apiServer();
    if (this.#frozen === pid) this.thawApiServer();
    await this.#kill('kube-apiserver', pid, signal);
    this.injected.apiServerKills++;
    return { argv };
  }

  /** Kills the API server and starts a new one with the same flags (plus `extraArgs`), then waits for /readyz. */
  async restartApiServer(options: RestartOptions = {}): Promise<void> {
    const { argv } = await this.killApiServer(options.signal ?? 'SIGKILL');
    await this.startApiServer(argv, options);
  }

  /** Starts kube-apiserver with this command line (as read by killApiServer), replacing flags by `extraArgs`. */
  async startApiServer(argv: string[], options: RestartOptions = {}): Promise<void> {
    const api = new KubeApi({ server: this.#target.server, token: this.#target.adminToken, ca: this.#target.ca });
    try {
      await this.#start('kube-apiserver', { argv, env: { PATH: '/usr/bin:/bin' } }, options, () => apiserverReady(api));
    } finally {
      api.close();
    }
    this.injected.apiServerRestarts++;
  }

  /**
   * Kills etcd (default SIGKILL: a crash, nothing flushed beyond what its WAL already holds) and waits until the
   * process is gone. The API server stays up and answers errors until `restartEtcd` brings etcd back.
   */
  async killEtcd(signal: NodeJS.Signals = 'SIGKILL'): Promise<{
    /** The killed process's command line. */
    argv: string[];
  }> {
    const { pid, argv } = this.etcd();
    const env = environOf(pid);
    await this.#kill('etcd', pid, signal);
    this.#killedEtcd = { argv, env };
    this.injected.etcdKills++;
    return { argv };
  }

  /**
   * Starts etcd again with the same flags, data directory, ports and environment (plus `extraArgs`), then waits
   * until it answers /health. The etcd killed by `killEtcd`; when etcd is running, it is killed first.
   */
  async restartEtcd(options: RestartOptions = {}): Promise<void> {
    if (this.#find('etcd') || !this.#killedEtcd) await this.killEtcd(options.signal ?? 'SIGKILL');
    const launch = this.#killedEtcd;
    if (!launch) throw new FaultInjectionError('no etcd command line to restart');
    const url = launch.argv
      .find((a) => a.startsWith('--listen-client-urls='))
      ?.slice('--listen-client-urls='.length)
      .split(',')[0];
    if (!url) throw new FaultInjectionError('etcd has no --listen-client-urls flag');
    await this.#start('etcd', launch, options, () => etcdHealthy(`${url}/health`));
    this.#killedEtcd = undefined;
    this.injected.etcdRestarts++;
  }

  /** SIGSTOP: the API server keeps its sockets open but answers nothing (a hung server, not a dead one). */
  freezeApiServer(): void {
    const { pid } = this.apiServer();
    process.kill(pid, 'SIGSTOP');
    this.#frozen = pid;
    this.injected.freezes++;
  }

  /** SIGCONT to the API server frozen by `freezeApiServer` (nothing to do when none is). */
  thawApiServer(): void {
    if (this.#frozen === undefined) return;
    try {
      process.kill(this.#frozen, 'SIGCONT');
    } catch {
      // gone meanwhile
    }
    this.#frozen = undefined;
  }

  /** etcd's current revision (through its v3 JSON gateway). */
  async etcdRevision(): Promise<number> {
    const res = await this.#etcd('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 });
    const revision = Number((res as { header?: { revision?: string } }).header?.revision);
    if (!Number.isInteger(revision) || revision <= 0) throw new FaultInjectionError(`etcd answered no revision: ${JSON.stringify(res)}`);
    return revision;
  }

  /**
   * Compacts etcd's history up to `revision` (default: the current one), physically: every watch or list
   * from an older resourceVersion then fails with 410 Gone (when the API server's watch cache is off).
   */
  async compactEtcd(revision?: number): Promise<number> {
    const at = revision ?? (await this.etcdRevision());
    await this.#etcd('/v3/kv/compaction', { revision: String(at), physical: true });
    this.injected.compactions++;
    return at;
  }

  /** Stops the API servers this object started (the cluster's own stop() does not know them). */
  async close(): Promise<void> {
    this.thawApiServer();
    for (const proc of this.#started.reverse()) await proc.stop(5000);
    this.#started.length = 0;
  }

  #find(binaryName: string): { pid: number; argv: string[] } | undefined {
    const file = join(this.#target.dir, 'pgids');
    if (!existsSync(file)) throw new FaultInjectionError(`no pgids file in ${this.#target.dir}: not a local cluster started here`);
    const pids = readFileSync(file, 'utf8')
      .split('\n')
      .map(Number)
      .filter((n) => n > 0);
    // Newest first: a restarted API server is appended after the one it replaced.
    for (const pid of pids.reverse()) {
      const argv = cmdlineOf(pid);
      if (!argv) continue;
      const command = withoutSetpriv(argv);
      if (command[0]?.endsWith(`/${binaryName}`) || command[0] === binaryName) {
        if (!this.#isZombie(pid)) return { pid, argv: command };
      }
    }
    return undefined;
  }

  #isZombie(pid: number): boolean {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return true;
    }
  }

  /** Signals a control-plane process and waits until it is gone. */
  async #kill(name: string, pid: number, signal: NodeJS.Signals): Promise<void> {
    process.kill(pid, signal);
    // A frozen process does not die of SIGTERM: make sure it runs to handle it.
    if (signal !== 'SIGKILL') process.kill(pid, 'SIGCONT');
    await this.#waitGone(name, pid, 60_000);
  }

  /** Starts a control-plane process with this command line (flags replaced by `extraArgs`), waits for `probe`. */
  async #start(name: string, launch: Launch, options: RestartOptions, probe: () => Promise<boolean>): Promise<void> {
    const extra = options.extraArgs ?? [];
    const replaced = new Set(extra.map(flagName));
    const [command, ...args] = launch.argv;
    if (!command) throw new FaultInjectionError(`empty ${name} command line`);
    const logFile = join(this.#target.dir, 'logs', `${name}.log`);
    await waitPortsFree(name, args, options.timeoutMs ?? 120_000);
    const proc = spawnManaged({
      name,
      command,
      args: [...args.filter((a) => !replaced.has(flagName(a))), ...extra],
      env: launch.env,
      logFile,
      pgidFile: join(this.#target.dir, 'pgids'),
    });
    this.#started.push(proc);
    await waitReady({ process: proc, logFile, timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 200, probe });
  }

  async #waitGone(name: string, pid: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // A zombie leader is not enough: in a Go process the other threads still hold the shared file table
    // (the listening socket) until the last of them has exited.
    while (cmdlineOf(pid) && !(this.#isZombie(pid) && liveThreads(pid) <= 1)) {
      if (Date.now() > deadline) throw new FaultInjectionError(`${name} (pid ${pid}) still running ${timeoutMs} ms after the signal`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async #etcd(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.etcdUrl()}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new FaultInjectionError(`etcd ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  }
}

/** Threads of a process still listed under /proc (a reaped process has none). */
function liveThreads(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/** A process's command line and environment, to start it again the same way. */
interface Launch {
  argv: string[];
  env: NodeJS.ProcessEnv;
}

/** The environment of a running process (empty when it cannot be read). */
function environOf(pid: number): NodeJS.ProcessEnv {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const);
    return Object.fromEntries(entries);
  } catch {
    return { PATH: '/usr/bin:/bin' };
  }
}

/** The host:port pairs a control-plane process listens on, from its flags (kube-apiserver's, etcd's). */
function listenAddresses(args: string[]): { host: string; port: number }[] {
  const value = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  const secure = Number(value('--secure-port'));
  const found = Number.isInteger(secure) && secure > 0 ? [{ host: value('--bind-address') || '127.0.0.1', port: secure }] : [];
  for (const flag of ['--listen-client-urls', '--listen-peer-urls']) {
    for (const url of value(flag)?.split(',') ?? []) {
      const parsed = URL.canParse(url) ? new URL(url) : undefined;
      if (parsed?.port) found.push({ host: parsed.hostname, port: Number(parsed.port) });
    }
  }
  return found;
}

/** Waits until the process's ports can be bound again, so a restart does not die of EADDRINUSE. */
async function waitPortsFree(name: string, args: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const { host, port } of listenAddresses(args)) {
    while (!(await canListen(port, host))) {
      if (Date.now() > deadline)
        throw new FaultInjectionError(`port ${host}:${port} of ${name} still in use ${timeoutMs} ms after it stopped`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
