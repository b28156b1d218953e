// Health derived from the engine's hooks: readiness (initial lists done) and liveness (watches not failing for good, no stuck worker).
import type { OperatorHooks } from '../hooks.js';
import type { ProbeServer } from './probes.js';

/** Options of the health tracker: when watches count as down and when a worker counts as stuck. */
export interface HealthTrackerOptions {
  /** Liveness fails once a resource's watch has failed this many times in a row without any event or re-list between. Default 10. */
  maxConsecutiveWatchErrors?: number;
  /** ...and the failures have lasted this long. Default 5 minutes. Both must hold: one flaky minute never restarts the pod. */
  watchDownAfterMs?: number;
  /**
   * Liveness fails while a worker has been processing one object for longer than this (a handler without a
   * timeout that never returns wedges its worker; a restart is the cure). Default 10 minutes; a resource whose
   * handlers declare longer timeouts gets their sum plus a minute (see `allowWorkerTime`).
   */
  stuckWorkerMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** Leadership as the health checks see it: off (no election), standby or leading. */
export type LeadershipState = 'leading' | 'standby' | 'unknown';

interface Work {
  resource: string;
  object: string;
  startedAt: number;
}

interface WatchState {
  errors: number;
  failingSince: number | undefined;
}

/**
 * Tracks what the engine reports through its hooks. `expect()` the resources the operator watches; readiness
 * waits until each reported `synced` once. Liveness only looks at watches that keep failing: a quiet but
 * healthy watch sends no errors, so it never counts against the pod.
 */
export class HealthTracker {
  readonly #options: Required<Omit<HealthTrackerOptions, 'now'>> & { now: () => number };
  readonly #expected = new Set<string>();
  readonly #synced = new Set<string>();
  readonly #watches = new Map<string, WatchState>();
  /** Streams whose initial list failed: not synced yet, whatever other namespaces of the resource did. */
  readonly #unsynced = new Set<string>();
  readonly #working = new Map<string, Work>();
  readonly #workerBound = new Map<string, number>();

  constructor(options: HealthTrackerOptions = {}) {
    this.#options = {
      maxConsecutiveWatchErrors: options.maxConsecutiveWatchErrors ?? 10,
      watchDownAfterMs: options.watchDownAfterMs ?? 300_000,
      stuckWorkerMs: options.stuckWorkerMs ?? 600_000,
      now: options.now ?? Date.now,
    };
  }

  /** A resource id (`group/version/plural`) whose initial list readiness waits for. */
  expect(resource: string): void {
    this.#expected.add(resource);
  }

  /** Let rounds of this resource's objects run up to `ms` before counting as stuck (never lowers the bound). */
  allowWorkerTime(resource: string, ms: number): void {
    this.#workerBound.set(resource, Math.max(ms, this.#workerBound.get(resource) ?? 0));
  }

  /** The hooks that feed the tracker: combine them with the operator's other hooks. */
  hooks(): OperatorHooks {
    return {
      workStarted: ({ resource, namespace, name, key }) => {
        // Names only: the object's data never reaches a probe's answer.
        this.#working.set(key, { resource, object: namespace ? `${namespace}/${name}` : name, startedAt: this.#options.now() });
      },
      workFinished: ({ key }) => {
        this.#working.delete(key);
      },
      synced: ({ resource }) => {
        this.#synced.add(resource);
        this.#unsynced.delete(resource);
        this.#ok(resource);
      },
      watchEvent: ({ resource }) => this.#ok(resource),
      watchError: ({ resource }) => {
        const state = this.#watches.get(resource) ?? { errors: 0, failingSince: undefined };
        state.errors += 1;
        state.failingSince ??= this.#options.now();
        this.#watches.set(resource, state);
        if (!this.#synced.has(resource)) this.#unsynced.add(resource);
      },
    };
  }

  #ok(resource: string): void {
    this.#watches.delete(resource);
  }

  /**
   * Undefined when every expected resource finished its initial list, else the reason. The engine reports one
   * stream per namespace as `<resource> in <namespace>`: an expected resource counts as synced once one of its
   * streams synced and none is known to have failed its initial list.
   */
  readiness(): string | undefined {
    const of = (r: string) => (id: string) => id === r || id.startsWith(`${r} in `);
    const waiting = [...this.#expected].filter((r) => ![...this.#synced].some(of(r)) || [...this.#unsynced].some(of(r)));
    return waiting.length
      ? `initial list not done: ${waiting.slice(0, 3).join(', ')}${waiting.length > 3 ? ` and ${waiting.length - 3} more` : ''}`
      : undefined;
  }

  /** Undefined while no watch is failing for good, else the reason. */
  liveness(): string | undefined {
    const now = this.#options.now();
    const down = [...this.#watches].filter(
      ([, s]) =>
        s.errors >= this.#options.maxConsecutiveWatchErrors &&
        s.failingSince !== undefined &&
        now - s.failingSince >= this.#options.watchDownAfterMs,
    );
    return down.length
      ? `watch failing for good: ${down
          .map(([r, s]) => `${r} (${s.errors} errors)`)
          .slice(0, 3)
          .join(', ')}`
      : undefined;
  }

  /** Undefined while every worker's round is within its bound, else the reason naming the stuck objects. */
  stuckWorkers(): string | undefined {
    const now = this.#options.now();
    const stuck = [...this.#working.values()]
      .map((w) => ({ ...w, bound: Math.max(this.#options.stuckWorkerMs, this.#workerBound.get(w.resource) ?? 0) }))
      .filter((w) => now - w.startedAt > w.bound)
      .sort((a, b) => a.startedAt - b.startedAt);
    if (!stuck.length) return undefined;
    const shown = stuck
      .slice(0, 3)
      .map((w) => `${w.resource} ${w.object} for ${Math.round((now - w.startedAt) / 1000)} s (bound ${Math.round(w.bound / 1000)} s)`);
    return `worker stuck: ${shown.join(', ')}${stuck.length > 3 ? ` and ${stuck.length - 3} more` : ''}`;
  }

  /** Register the standard checks: `watches` and `workers` (healthz), `informers-synced` and, given a state source, `leadership` (readyz). */
  register(probes: ProbeServer, leadership?: () => LeadershipState): void {
    probes.addHealthCheck('watches', () => this.liveness() ?? true);
    probes.addHealthCheck('workers', () => this.stuckWorkers() ?? true);
    probes.addReadinessCheck('informers-synced', () => this.readiness() ?? true);
    if (leadership) probes.addReadinessCheck('leadership', () => (leadership() === 'unknown' ? 'leadership state not known yet' : true));
  }
}
