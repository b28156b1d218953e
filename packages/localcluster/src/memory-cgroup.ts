// Memory cgroups: a limit the kernel enforces on a process (as a container runtime does), its usage and OOM kills read back.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

const readIfExists = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** The memory cgroup hierarchy of this machine: the unified one (v2), or the v1 memory controller's mount. */
export function memoryHierarchy(): { version: 1 | 2; mount: string } | undefined {
  if (readIfExists(join(ROOT, 'cgroup.controllers')).split(/\s+/).includes('memory')) return { version: 2, mount: ROOT };
  if (readIfExists(join(ROOT, 'memory', 'memory.limit_in_bytes'))) return { version: 1, mount: join(ROOT, 'memory') };
  return undefined;
}

/**
 * How many times the kernel's OOM killer killed a process of the memory cgroup at `path` (relative to the memory
 * hierarchy's mount, e.g. `/capstan/<id>`): cgroup v2 memory.events, or v1 memory.oom_control; 0 when unknown.
 */
export function oomKillCount(path: string): number {
  for (const file of [join(ROOT, path, 'memory.events'), join(ROOT, 'memory', path, 'memory.oom_control')]) {
    const count = /^oom_kill (\d+)$/m.exec(readIfExists(file))?.[1];
    if (count !== undefined) return Number(count);
  }
  return 0;
}

/** A memory cgroup's figures: bytes in use (page cache included), the highest so far, anonymous memory, OOM kills. */
export interface MemoryUsage {
  limitBytes: number;
  currentBytes: number;
  /** The kernel's high-water mark (memory.peak, v1 memory.max_usage_in_bytes): page cache included. */
  peakBytes: number;
  /** Anonymous memory now (the processes' own heap and stacks; what cannot be reclaimed without swap). */
  anonBytes: number;
  oomKills: number;
}

/**
 * A memory cgroup of its own with a hard limit (v2 memory.max, v1 memory.limit_in_bytes; no swap), for processes
 * that join it before they start (`spawnManaged({ cgroup })`), so that a runtime sizing itself from its cgroup (Node's
 * heap) sees the limit. On cgroup v1 it is made under this process's own memory cgroup (its ancestors' limits still
 * hold); on v2 under `/capstan` at the root, as the image runtime's containers (v2 allows processes only in leaves).
 */
export class MemoryCgroup {
  /** The folder to join (its `cgroup.procs`). */
  readonly dir: string;
  /** The cgroup's path within the memory hierarchy (what `oomKillCount` takes). */
  readonly path: string;
  readonly version: 1 | 2;

  private constructor(version: 1 | 2, mount: string, path: string) {
    this.version = version;
    this.path = path;
    this.dir = join(mount, path);
  }

  /** Makes the cgroup `name` with this limit; throws when the machine has no memory cgroup to use. */
  static create(name: string, limitBytes: number): MemoryCgroup {
    const hierarchy = memoryHierarchy();
    if (!hierarchy) throw new Error('no memory cgroup controller on this machine (cgroup v2 with memory, or v1 memory)');
    let parent = '/capstan';
    if (hierarchy.version === 1) {
      const own = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(readIfExists('/proc/self/cgroup'))?.[1] ?? '/';
      parent = join(own, 'capstan');
    }
    mkdirSync(join(hierarchy.mount, parent), { recursive: true });
    if (hierarchy.version === 2) {
      // Children of /capstan need the memory controller delegated to them (runc does the same for its containers).
      writeFileSync(join(hierarchy.mount, 'cgroup.subtree_control'), '+memory');
      writeFileSync(join(hierarchy.mount, parent, 'cgroup.subtree_control'), '+memory');
    }
    const cgroup = new MemoryCgroup(hierarchy.version, hierarchy.mount, join(parent, name));
    mkdirSync(cgroup.dir, { recursive: true });
    cgroup.setLimit(limitBytes);
    return cgroup;
  }

  /** Changes the hard limit (no swap beyond it, as a kubelet sets it). */
  setLimit(bytes: number): void {
    if (this.version === 2) {
      writeFileSync(join(this.dir, 'memory.max'), String(bytes));
      if (readIfExists(join(this.dir, 'memory.swap.max'))) writeFileSync(join(this.dir, 'memory.swap.max'), '0');
    } else {
      writeFileSync(join(this.dir, 'memory.limit_in_bytes'), String(bytes));
    }
  }

  /** The pids in the cgroup now. */
  pids(): number[] {
    return readIfExists(join(this.dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  }

  usage(): MemoryUsage {
    const num = (file: string) => Number(readIfExists(join(this.dir, file)).trim().split(/\s/)[0] || 0);
    const stat = readIfExists(join(this.dir, 'memory.stat'));
    const statField = (key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
    if (this.version === 2)
      return {
        limitBytes: num('memory.max'),
        currentBytes: num('memory.current'),
        peakBytes: num('memory.peak'),
        anonBytes: statField('anon'),
        oomKills: oomKillCount(this.path),
      };
    return {
      limitBytes: num('memory.limit_in_bytes'),
      currentBytes: num('memory.usage_in_bytes'),
      peakBytes: num('memory.max_usage_in_bytes'),
      anonBytes: statField('rss'),
      oomKills: oomKillCount(this.path),
    };
  }

  /** Removes the cgroup (its processes must have exited); false when it could not. */
  remove(): boolean {
    try {
      rmdirSync(this.dir);
      return true;
    } catch {
      return false;
    }
  }
}
