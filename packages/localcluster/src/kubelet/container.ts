// One container as a local process: start, probes, exit -> restart with back-off per restartPolicy, stop.
import { constants } from 'node:os';
import { spawnManaged, type Exit, type ManagedProcess } from '../processes.js';
import type { ImageLaunch } from './image-runtime.js';
import { ProbeLoop } from './probes.js';
import type { Container, ContainerStateValue, ContainerStatus } from './types.js';

export interface ContainerRunnerOptions {
  container: Container;
  argv: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  logFile: string;
  pgidFile: string;
  podIP: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** Called whenever the status changed. */
  onChange: () => void;
  /** Image runtime: the container runs from its image under runc (argv, cwd and env are then inside its spec). */
  launch?: ImageLaunch;
  /** Crash-loop back-off: first delay and cap (kubelet uses 10 s .. 5 min; shorter here so tests do not wait). */
  backoff?: { initialMs: number; maxMs: number };
}

const now = () => new Date().toISOString();

function exitCodeOf(exit: Exit): number {
  if (exit.code !== null) return exit.code;
  const signum = exit.signal ? constants.signals[exit.signal] : undefined;
  return 128 + (signum ?? 9);
}

export class ContainerRunner {
  private proc: ManagedProcess | undefined;
  private state: ContainerStateValue = { waiting: { reason: 'ContainerCreating' } };
  private lastState: ContainerStateValue | Record<string, never> = {};
  private restartCount = 0;
  private ready = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private probes: ProbeLoop[] = [];
  private backoffMs: number;
  private startedAtMs = 0;

  constructor(private readonly options: ContainerRunnerOptions) {
    this.backoffMs = options.backoff?.initialMs ?? 1000;
  }

  get name(): string {
    return this.options.container.name;
  }

  /** Terminated for good (no restart coming). */
  get finished(): boolean {
    return 'terminated' in this.state && this.restartTimer === undefined;
  }

  get exitCode(): number | undefined {
    return 'terminated' in this.state ? this.state.terminated.exitCode : undefined;
  }

  status(): ContainerStatus {
    const c = this.options.container;
    return {
      name: c.name,
      image: c.image,
      imageID: this.options.launch?.imageID ?? `capstan-local://${c.image}`,
      ...(this.proc ? { containerID: `capstan://${this.proc.pid}` } : {}),
      state: this.state,
      lastState: this.lastState,
      ready: this.ready,
      started: 'running' in this.state,
      restartCount: this.restartCount,
    };
  }

  start(): void {
    if (this.stopping) return;
    this.restartTimer = undefined;
    const launch = this.options.launch;
    // Under runc the host process is `runc run`: the container's own env is in its bundle, not runc's.
    const argv = launch ? launch.prepare() : this.options.argv;
    this.proc = spawnManaged({
      name: this.name,
      command: argv[0] ?? '/bin/false',
      args: argv.slice(1),
      env: launch ? { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } : this.options.env,
      ...(this.options.cwd && !launch ? { cwd: this.options.cwd } : {}),
      logFile: this.options.logFile,
      pgidFile: this.options.pgidFile,
    });
    this.startedAtMs = Date.now();
    this.state = { running: { startedAt: now() } };
    const { readinessProbe, livenessProbe } = this.options.container;
    this.ready = !readinessProbe;
    const target = {
      podIP: this.options.podIP,
      ports: this.options.container.ports ?? [],
      env: this.options.env,
      ...(launch ? { execPrefix: launch.execPrefix() } : {}),
    };
    if (readinessProbe) {
      this.probes.push(
        new ProbeLoop(
          readinessProbe,
          target,
          (ok) => {
            this.ready = ok;
            this.options.onChange();
          },
          true,
        ),
      );
    }
    if (livenessProbe) {
      this.probes.push(
        new ProbeLoop(livenessProbe, target, (ok) => {
          if (!ok) void this.proc?.stop(2000); // the exit handler restarts it
        }),
      );
    }
    for (const p of this.probes) p.start();
    const proc = this.proc;
    void proc.exited.then((exit) => this.onExit(proc, exit));
    this.options.onChange();
  }

  private onExit(proc: ManagedProcess, exit: Exit): void {
    if (proc !== this.proc) return;
    // Asked before the cleanup removes the container's cgroup, which holds the answer.
    const oomKilled = this.options.launch?.oomKilled() ?? false;
    void this.options.launch?.cleanup();
    for (const p of this.probes) p.stop();
    this.probes = [];
    this.ready = false;
    const exitCode = exitCodeOf(exit);
    const startedAt = 'running' in this.state ? this.state.running.startedAt : undefined;
    const terminated: ContainerStateValue = {
      terminated: {
        exitCode,
        reason: oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
        ...(exit.signal ? { signal: constants.signals[exit.signal] } : {}),
        ...(startedAt ? { startedAt } : {}),
        finishedAt: now(),
      },
    };
    const policy = this.options.restartPolicy;
    const restart = !this.stopping && (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0));
    if (!restart) {
      this.state = terminated;
      this.options.onChange();
      return;
    }
    // A container that ran a while is healthy again: start its back-off over.
    if (Date.now() - this.startedAtMs > 60_000) this.backoffMs = this.options.backoff?.initialMs ?? 1000;
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoff?.maxMs ?? 20_000);
    this.lastState = terminated;
    this.state = {
      waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delayMs / 1000)}s restarting failed container=${this.name}` },
    };
    this.restartTimer = setTimeout(() => {
      this.restartCount++;
      this.start();
    }, delayMs);
    this.options.onChange();
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    for (const p of this.probes) p.stop();
    this.probes = [];
    await this.proc?.stop(graceMs);
    // runc forwarded SIGTERM; a container that outlived runc's SIGKILL is removed here.
    await this.options.launch?.cleanup();
  }
}
