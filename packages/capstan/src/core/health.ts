// Health derived from the engine's hooks: readiness (initial lists done) and liveness (watches not failing for good).
import type { OperatorHooks } from './hooks.js';
import type { ProbeServer } from './probes.js';

export interface HealthTrackerOptions {
  /** Liveness fails once a resource's watch has failed this many times in a row without any event or re-list between. Default 10. */
  maxConsecutiveWatchErrors?: number;
  /** ...and the failures have lasted this long. Default 5 minutes. Both must hold: one flaky minute never restarts the pod. */
  watchDownAfterMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

export type LeadershipState = 'leading' | 'standby' | 'unknown';

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

  constructor(options: HealthTrackerOptions = {}) {
    this.#options = {
      maxConsecutiveWatchErrors: options.maxConsecutiveWatchErrors ?? 10,
      watchDownAfterMs: options.watchDownAfterMs ?? 300_000,
      now: options.now ?? Date.now,
    };
  }

  /** A resource id (`group/version/plural`) whose initial list readiness waits for. */
  expect(resource: string): void {
    this.#expected.add(resource);
  }

  hooks(): OperatorHooks {
    return {
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
    return waiting.length ? `initial list not done: ${waiting.slice(0, 3).join(', ')}${waiting.length > 3 ? ` and ${waiting.length - 3} more` : ''}` : undefined;
  }

  /** Undefined while no watch is failing for good, else the reason. */
  liveness(): string | undefined {
    const now = this.#options.now();
    const down = [...this.#watches].filter(([, s]) =>
      s.errors >= this.#options.maxConsecutiveWatchErrors && s.failingSince !== undefined && now - s.failingSince >= this.#options.watchDownAfterMs);
    return down.length ? `watch failing for good: ${down.map(([r, s]) => `${r} (${s.errors} errors)`).slice(0, 3).join(', ')}` : undefined;
  }

  /** Register the standard checks: `watches` (healthz), `informers-synced` and, given a state source, `leadership` (readyz). */
  register(probes: ProbeServer, leadership?: () => LeadershipState): void {
    probes.addHealthCheck('watches', () => this.liveness() ?? true);
    probes.addReadinessCheck('informers-synced', () => this.readiness() ?? true);
    if (leadership) probes.addReadinessCheck('leadership', () => (leadership() === 'unknown' ? 'leadership state not known yet' : true));
  }
}
