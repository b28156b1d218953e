// Child processes that cannot outlive us: each runs under `setpriv --pdeathsig KILL` in its own process group.
import { spawn } from 'node:child_process';
import { accessSync, appendFileSync, closeSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
const hasSetpriv = (() => {
  try {
    accessSync(SETPRIV, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** How a managed child process ended: its exit code or the signal that killed it. */
export interface Exit {
  /** The exit code (127 when the command could not be started); null when a signal ended the process. */
  code: number | null;
  /** The signal that ended the process; null when it exited by itself. */
  signal: NodeJS.Signals | null;
}

/** A child started by `spawnManaged`: its pid, its exit, `stop` and `kill`. */
export interface ManagedProcess {
  /** The process id (also its process group's); -1 when it could not be spawned. */
  readonly pid: number;
  /** The name it was started under. */
  readonly name: string;
  /** Settles when the process has exited (never rejects; a spawn failure is an exit with code 127). */
  readonly exited: Promise<Exit>;
  /** Whether the process has exited yet. */
  readonly hasExited: () => boolean;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<Exit>;
  /** Send a signal to the whole process group at once (e.g. SIGKILL: no shutdown code runs); resolves on exit. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

/** What `spawnManaged` starts: the command, args, env, cwd, its log file and where its process group is recorded. */
export interface SpawnOptions {
  /** A name for the process, for its handle. */
  name: string;
  /** The program to run. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** The whole environment of the process. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Its working directory. Default: this process's. */
  cwd?: string;
  /** stdout and stderr are appended to this file. */
  logFile: string;
  /** A file that records the process group id, so the reaper can kill it if we die abruptly. */
  pgidFile?: string;
  /**
   * Cgroup directories (v2, or a v1 hierarchy's) the process joins before the command runs, so that everything it
   * does, from its first socket on, counts there (e.g. to match its traffic by cgroup). Needs write access to them.
   */
  cgroups?: readonly string[];
}

/** `sh -c` that moves itself into each cgroup given before `--`, then executes the rest (same pid throughout). */
const JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1/cgroup.procs" || exit 126; shift; done; shift; exec "$@"';

/** Starts a child in its own process group that dies with this process (even on SIGKILL of it), with its output logged. */
export function spawnManaged(options: SpawnOptions): ManagedProcess {
  const fd = openSync(options.logFile, 'a');
  let exit: Exit | undefined;
  let child;
  try {
    // pdeathsig makes the kernel kill the child when this process dies, even by SIGKILL; detached gives it
    // its own process group so that stop() also reaches the processes it starts (e.g. `sh -c`).
    const [direct, directArgs] = hasSetpriv
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
      : [options.command, options.args];
    const [command, args] = options.cgroups?.length
      ? ['/bin/sh', ['-c', JOIN_CGROUPS, 'join-cgroups', ...options.cgroups, '--', direct, ...directArgs]]
      : [direct, directArgs];
    child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid ?? -1;
  if (pid > 0 && options.pgidFile) appendFileSync(options.pgidFile, `${pid}\n`);
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (err) => {
      appendFileSync(options.logFile, `capstan: could not start ${options.command}: ${err.message}\n`);
      exit = { code: 127, signal: null };
      resolve(exit);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (options.pgidFile) forgetPgid(options.pgidFile, pid);
      resolve(exit);
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (pid <= 0) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  return {
    pid,
    name: options.name,
    exited,
    hasExited: () => exit !== undefined,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!exit) signalGroup(signal);
      return exited;
    },
    async stop(graceMs = 5000) {
      if (exit) {
        signalGroup('SIGKILL'); // leftovers of the group, if any
        return exit;
      }
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
      return result;
    },
  };
}

/** The process groups recorded in a pgid file that still exist. */
export function livePgids(pgidFile: string): number[] {
  let text = '';
  try {
    text = readFileSync(pgidFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pgid) => {
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    });
}

/** Exited processes leave the file, so that a recycled pid is never mistaken for one of ours. */
function forgetPgid(pgidFile: string, pid: number): void {
  try {
    const lines = readFileSync(pgidFile, 'utf8')
      .split('\n')
      .filter((l) => l && l !== String(pid));
    writeFileSync(pgidFile, lines.map((l) => `${l}\n`).join(''));
  } catch {
    // the cluster directory is already gone
  }
}

/** A running reaper (see `startReaper`): dismiss it once the normal cleanup has run. */
export interface Reaper {
  /** Stop watching (the normal shutdown path cleans up itself). */
  dismiss(): void;
}

/**
 * A detached shell that waits for `watchPid` to die, then kills the process groups listed in `pgidFile`
 * and removes `paths`: the cleanup of last resort when the owner is killed with SIGKILL.
 */
export function startReaper(options: { watchPid: number; pgidFile: string; paths: string[]; cleanupFile?: string }): Reaper {
  const script = [
    'while kill -0 "$0" 2>/dev/null; do sleep 1; done',
    'if [ -f "$1" ]; then while read -r g; do kill -KILL -- "-$g" 2>/dev/null; done < "$1"; fi',
    // What outlives a killed process group (runc containers, routes): the lines the kubelet wrote there.
    'if [ -n "$2" ] && [ -f "$2" ]; then sh "$2"; fi',
    'shift 2',
    'rm -rf -- "$@"',
  ].join('\n');
  const args = [String(options.watchPid), options.pgidFile, options.cleanupFile ?? '', ...options.paths];
  const child = spawn('/bin/sh', ['-c', script, ...args], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return {
    dismiss() {
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
