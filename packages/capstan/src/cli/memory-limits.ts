// The memory an operator process may use, said at start: its cgroup's limit (a container's limits.memory) and V8's heap limit.
import { getHeapStatistics } from 'node:v8';

const MIB = 1024 * 1024;
/** Above this, a cgroup "limit" is the kernel's way of saying none (v1 reports ~2^63). */
const UNLIMITED = 2 ** 50;

/** What `memoryLimits` reports. */
export interface MemoryLimits {
  /** The cgroup's memory limit in MiB (what the kernel's OOM killer enforces); undefined when unlimited. */
  limitMiB: number | undefined;
  /** The V8 heap limit in MiB (beyond it, V8 ends the process with "JavaScript heap out of memory"). */
  heapLimitMiB: number;
  /** Set when the heap may grow to the limit: the kernel would kill the process (OOMKilled) before V8 says why. */
  warning?: string;
}

/**
 * The limits as this process sees them. Node sizes its default heap from the cgroup only loosely (at least ~256 MiB, or
 * half the limit), so under a limit of 512 MiB or less the heap may fill the whole container: the kernel then kills
 * the process silently instead of V8 failing with a clear message and collecting garbage harder near its limit.
 */
export function memoryLimits(constrained: number | undefined = process.constrainedMemory?.()): MemoryLimits {
  const limitMiB = constrained && constrained < UNLIMITED ? Math.round(constrained / MIB) : undefined;
  const heapLimitMiB = Math.round(getHeapStatistics().heap_size_limit / MIB);
  return {
    limitMiB,
    heapLimitMiB,
    ...(limitMiB !== undefined && heapLimitMiB > limitMiB * 0.9
      ? {
          warning: `the V8 heap limit (${heapLimitMiB} MiB) leaves no room under the memory limit (${limitMiB} MiB): run node with --max-old-space-size-percentage=75 (or --max-old-space-size) so that running out of memory is reported, not an OOM kill`,
        }
      : {}),
  };
}
