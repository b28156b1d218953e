// A cluster in its own process: the CLI's background cluster and test files' private clusters both run here.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { StartupError } from './errors.js';
import type { ImageStoreDirs } from './images/image-store.js';
import type { ImageRegistry } from './kubelet/images.js';

export interface SupervisorStatus {
  state: 'starting' | 'ready' | 'failed' | 'stopped';
  pid: number;
  kubeconfigPath?: string;
  error?: string;
}

export const SUPERVISOR_STATUS = 'supervisor.json';
export const SUPERVISOR_LOG = 'supervisor.log';

export interface SpawnSupervisorOptions {
  dataDir: string;
  name?: string;
  /** true: survives us (the CLI). false: dies with us (kernel pdeathsig), for test files' private clusters. */
  detached: boolean;
  removeDataDir?: boolean;
  kubelet?: boolean;
  /** Kubernetes version ("1.35", "1.37.2"; default the newest supported). */
  kubernetesVersion?: string | undefined;
  images?: ImageRegistry;
  /** The kubelet's image runtime (see LocalClusterOptions.imageRuntime). */
  imageRuntime?: boolean | ImageStoreDirs;
  log?: (line: string) => void;
  timeoutMs?: number;
}

export interface SupervisorHandle {
  pid: number;
  kubeconfigPath: string;
  /** SIGTERM, then wait until the process is gone. */
  stop(timeoutMs?: number): Promise<void>;
}

/** How to run the supervisor's entry point: from sources (tsx) in the repo, from dist/ when built. */
function entryCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return ['--conditions=development', '--import', import.meta.resolve('tsx'), join(here, '..', 'supervisor-main.ts')];
  }
  return [join(here, '..', 'supervisor-main.js')];
}

export function readSupervisorStatus(dataDir: string): SupervisorStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, SUPERVISOR_STATUS), 'utf8')) as SupervisorStatus;
  } catch {
    return undefined;
  }
}

export function writeSupervisorStatus(dataDir: string, status: SupervisorStatus): void {
  const path = join(dataDir, SUPERVISOR_STATUS);
  writeFileSync(`${path}.tmp`, JSON.stringify(status));
  // rename is atomic: readers never see half a file
  renameSync(`${path}.tmp`, path);
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export async function spawnSupervisor(options: SpawnSupervisorOptions): Promise<SupervisorHandle> {
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = join(options.dataDir, SUPERVISOR_LOG);
  rmSync(join(options.dataDir, SUPERVISOR_STATUS), { force: true });
  const fd = openSync(logFile, 'a');
  const args = [
    ...entryCommand(),
    `--data-dir=${options.dataDir}`,
    `--name=${options.name ?? 'capstan-local'}`,
    ...(options.removeDataDir ? ['--remove-data-dir'] : []),
    ...(options.kubelet === false ? ['--no-kubelet'] : []),
    ...(options.kubernetesVersion ? [`--kubernetes=${options.kubernetesVersion}`] : []),
    ...(options.images ? [`--images=${JSON.stringify(options.images)}`] : []),
    ...(options.imageRuntime ? [`--image-runtime=${JSON.stringify(options.imageRuntime)}`] : []),
  ];
  const [command, argv] = options.detached
    ? [process.execPath, args]
    : ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', process.execPath, ...args]];
  const child = spawn(command, argv, { detached: true, stdio: ['ignore', fd, fd], cwd: options.dataDir });
  closeSync(fd);
  child.unref();
  const pid = child.pid ?? -1;
  let exited = false;
  child.on('exit', () => (exited = true));
  if (!options.detached) {
    // Ours to clean up: a normal exit of this process stops it gracefully (pdeathsig covers the abrupt ones).
    process.on('exit', () => {
      if (!exited)
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
    });
  }
  const stop = async (timeoutMs = 30_000) => {
    if (!exited && isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + timeoutMs;
      while (isAlive(pid) && !exited && Date.now() < deadline) await delay(50);
      if (!exited && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  };

  let offset = 0;
  const pumpLog = () => {
    if (!options.log) return;
    const fd2 = openSync(logFile, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      let n: number;
      let text = '';
      while ((n = readSync(fd2, buf, 0, buf.length, offset)) > 0) {
        offset += n;
        text += buf.subarray(0, n).toString('utf8');
      }
      for (const line of text.split('\n')) if (line) options.log(line);
    } finally {
      closeSync(fd2);
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    pumpLog();
    const status = readSupervisorStatus(options.dataDir);
    if (status?.state === 'ready' && status.kubeconfigPath) return { pid, kubeconfigPath: status.kubeconfigPath, stop };
    if (status?.state === 'failed')
      throw new StartupError(`local cluster failed to start: ${status.error ?? 'unknown error'} (log ${logFile})`);
    if (exited || !isAlive(pid)) {
      pumpLog();
      throw new StartupError(`the cluster supervisor exited during start-up; log ${logFile}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new StartupError(`local cluster not ready in time; log ${logFile}`);
    }
    await delay(100);
  }
}
