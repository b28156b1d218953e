// Leader election with a coordination.k8s.io/v1 Lease (client-go's algorithm): one instance acts, standbys take over.
import type { KubeClient } from '../../client/surface.js';
import { linkedAbort, sleep } from '../../kits/sleep.js';
import { ConfigurationError, ConflictError, NotFoundError } from '../../structs/errors.js';
import type { KubeObject, ResourceRef } from '../../structs/objects.js';
import type { LeadershipGate } from '../hooks.js';
import { describeError, silentLogger, type Logger } from '../logging.js';
import type { OperatorMetrics } from './metrics.js';

export const leasesRef: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

/** The spec of a coordination.k8s.io Lease: holder, duration, acquire and renew times, transitions. */
export interface LeaseSpec {
  /** The identity of the current leader; empty or absent when nobody holds the Lease. */
  holderIdentity?: string;
  /** How long after the last renewal standbys wait before taking over. */
  leaseDurationSeconds?: number;
  /** When the current holder acquired the Lease (MicroTime). */
  acquireTime?: string;
  /** When the holder last renewed the Lease (MicroTime). */
  renewTime?: string;
  /** How many times the Lease changed hands. */
  leaseTransitions?: number;
}

/** A coordination.k8s.io Lease object. */
export type Lease = KubeObject<LeaseSpec, never> & {
  /** Holder, duration, acquire and renew times, transitions. */
  spec?: LeaseSpec;
};

/** A leader elector's state: not started, standby (another holds the Lease) or leading. */
export type LeaderState = 'unknown' | 'leading' | 'standby';

/** Options of a `LeaderElector`: the Lease, this candidate, the timings and callbacks on gaining, losing or seeing a new leader. */
export interface LeaderElectionOptions {
  /** The client the Lease is read and written through. */
  client: KubeClient;
  /** Where the Lease lives (usually the operator's own namespace). */
  namespace: string;
  /** The Lease's name (e.g. `<operator>-leader`). */
  name: string;
  /** Unique per instance (pod name plus a random suffix): two instances with one identity would both lead. */
  identity: string;
  /** Standbys take over this long after the leader's last renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long (must be below the lease duration). Default 10 s. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Where leadership changes and failed Lease attempts are logged; silent by default. */
  logger?: Logger | undefined;
  /** Its leader gauge follows this instance's leadership. */
  metrics?: OperatorMetrics | undefined;
  /** Called when this instance becomes the leader. */
  onStartedLeading?: () => void;
  /** Called when this instance stops leading (lost, released or abandoned). */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to nobody: ''). */
  onNewLeader?: (identity: string) => void;
}

type Attempt = 'acquired' | 'held' | 'failed';

/**
 * A Lease-based elector, usable as the engine's LeadershipGate. Lease expiry is judged by the local clock
 * from when this instance last saw the Lease change (as client-go does), so clock skew between nodes does
 * not matter. A graceful `release()` empties the holder so a standby takes over on its next attempt.
 */
export class LeaderElector implements LeadershipGate {
  readonly #o: Required<Omit<LeaderElectionOptions, 'logger' | 'metrics' | 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader'>> &
    Pick<LeaderElectionOptions, 'metrics' | 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader'> & { logger: Logger };
  #state: LeaderState = 'unknown';
  #leader: string | undefined;
  #observed: { key: string; at: number } | undefined;
  #leading: AbortController | undefined;
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;
  readonly #listeners = new Set<(state: LeaderState) => void>();

  constructor(options: LeaderElectionOptions) {
    this.#o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      ...options,
      logger: options.logger ?? silentLogger,
    };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.#o;
    if (!options.identity) throw new ConfigurationError('leader election needs a non-empty identity');
    if (!(renewDeadlineMs < leaseDurationMs))
      throw new ConfigurationError('leader election: the renew deadline must be shorter than the lease duration');
    if (!(retryPeriodMs < renewDeadlineMs))
      throw new ConfigurationError('leader election: the retry period must be shorter than the renew deadline');
    if (leaseDurationMs < 1000) throw new ConfigurationError('leader election: the lease duration must be at least one second');
  }

  /** Whether this instance leads, stands by or has not yet looked at the Lease. */
  get state(): LeaderState {
    return this.#state;
  }

  /** Whether this instance leads now. */
  get isLeader(): boolean {
    return this.#state === 'leading';
  }

  /** The holder this instance last observed ('' when released, undefined before the first look). */
  get leader(): string | undefined {
    return this.#leader;
  }

  /** This candidate's identity, as written to the Lease's holderIdentity. */
  get identity(): string {
    return this.#o.identity;
  }

  /** Observe state changes; returns an unsubscribe function. */
  onStateChange(listener: (state: LeaderState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Start campaigning (idempotent). */
  start(): void {
    if (this.#loop) return;
    this.#stop = new AbortController();
    this.#loop = this.#run(this.#stop.signal).catch((error: unknown) => {
      this.#o.logger.error('leader election stopped unexpectedly', { error: describeError(error) });
    });
  }

  /** LeadershipGate: resolves once leading with a signal that aborts when leadership is lost; undefined if `signal` aborts first. */
  async acquire(signal: AbortSignal): Promise<AbortSignal | undefined> {
    this.start();
    while (!signal.aborted) {
      if (this.#state === 'leading' && this.#leading && !this.#leading.signal.aborted) return this.#leading.signal;
      await new Promise<void>((resolve) => {
        const done = () => {
          off();
          signal.removeEventListener('abort', done);
          resolve();
        };
        const off = this.onStateChange(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    return undefined;
  }

  /** Stop campaigning and, if leading, hand the Lease back so a standby takes over at once. */
  async release(): Promise<void> {
    const wasLeading = await this.#halt();
    if (!wasLeading) return;
    try {
      const lease = await this.#o.client.get<Lease>(
        leasesRef,
        { namespace: this.#o.namespace, name: this.#o.name },
        { signal: AbortSignal.timeout(this.#o.renewDeadlineMs) },
      );
      if (lease.spec?.holderIdentity !== this.#o.identity) return;
      const now = microTime(new Date());
      await this.#o.client.replace<Lease>(
        leasesRef,
        {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
        },
        { signal: AbortSignal.timeout(this.#o.renewDeadlineMs) },
      );
      this.#o.logger.info('released the leader lease', { lease: `${this.#o.namespace}/${this.#o.name}` });
    } catch (error) {
      // Not fatal: the standby takes over when the lease expires.
      this.#o.logger.warn('could not release the leader lease', { error: describeError(error) });
    }
  }

  /** Stop campaigning without releasing (as if the process died): standbys wait for the lease to expire. */
  async abandon(): Promise<void> {
    await this.#halt();
  }

  /** Stop the loop; resolves with whether this instance was leading. */
  async #halt(): Promise<boolean> {
    const wasLeading = this.#state === 'leading';
    this.#stop?.abort();
    await this.#loop;
    this.#loop = undefined;
    this.#stop = undefined;
    if (this.#state === 'leading') this.#stopLeading();
    return wasLeading;
  }

  async #run(stop: AbortSignal): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.#o;
    while (!stop.aborted) {
      const attempt = await this.#tryAcquireOrRenew(stop, renewDeadlineMs);
      if (attempt !== 'acquired') {
        if (attempt === 'held') this.#setState('standby');
        // Jitter keeps several standbys from hammering the Lease in lock-step.
        await sleep(retryPeriodMs * (1 + 0.2 * Math.random()), stop);
        continue;
      }
      this.#startLeading();
      let lastRenew = Date.now();
      while (!stop.aborted) {
        if (!(await sleep(retryPeriodMs, stop))) break;
        const left = renewDeadlineMs - (Date.now() - lastRenew);
        const renewed = left > 0 ? await this.#tryAcquireOrRenew(stop, left) : 'failed';
        if (renewed === 'acquired') {
          lastRenew = Date.now();
          continue;
        }
        if (renewed === 'held' || Date.now() - lastRenew >= renewDeadlineMs) {
          this.#o.logger.warn('lost the leader lease', {
            reason: renewed === 'held' ? 'another instance holds it' : 'renew deadline passed',
          });
          break;
        }
      }
      if (stop.aborted) return;
      this.#stopLeading();
      this.#setState('standby');
    }
  }

  async #tryAcquireOrRenew(stop: AbortSignal, timeoutMs: number): Promise<Attempt> {
    const { client, namespace, name, identity } = this.#o;
    const link = linkedAbort(stop, AbortSignal.timeout(timeoutMs));
    const signal = link.signal;
    const now = new Date();
    const leaseSeconds = Math.ceil(this.#o.leaseDurationMs / 1000);
    try {
      let lease: Lease;
      try {
        lease = await client.get<Lease>(leasesRef, { namespace, name }, { signal });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        await client.create<Lease>(
          leasesRef,
          {
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: leaseSeconds,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: 0,
            },
          },
          { signal },
        );
        this.#observe({ holderIdentity: identity, renewTime: microTime(now) });
        return 'acquired';
      }
      const spec = lease.spec ?? {};
      this.#observe(spec);
      const holder = spec.holderIdentity ?? '';
      const duration = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
      if (holder && holder !== identity && this.#observed && Date.now() < this.#observed.at + duration) return 'held';
      const mine = holder === identity;
      await client.replace<Lease>(
        leasesRef,
        {
          ...lease,
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: leaseSeconds,
            acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
            renewTime: microTime(now),
            leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
          },
        },
        { signal },
      );
      this.#observe({ holderIdentity: identity, renewTime: microTime(now) });
      return 'acquired';
    } catch (error) {
      if (stop.aborted) return 'failed';
      // A conflict means someone else wrote the Lease first (another candidate, or our own stale view): try again.
      const level = error instanceof ConflictError ? 'debug' : 'warn';
      this.#o.logger[level]('leader lease attempt failed', { lease: `${namespace}/${name}`, error: describeError(error) });
      return 'failed';
    } finally {
      link.dispose();
    }
  }

  /** Remember when the Lease record last changed, by our clock; report a new holder. */
  #observe(spec: LeaseSpec): void {
    const key = `${spec.holderIdentity ?? ''}\u0000${spec.renewTime ?? ''}`;
    if (this.#observed?.key !== key) this.#observed = { key, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.#leader) {
      this.#leader = holder;
      try {
        this.#o.onNewLeader?.(holder);
      } catch (error) {
        this.#o.logger.warn('onNewLeader callback failed', { error: describeError(error) });
      }
    }
  }

  #startLeading(): void {
    this.#leading = new AbortController();
    this.#o.logger.info('became the leader', { lease: `${this.#o.namespace}/${this.#o.name}`, identity: this.#o.identity });
    this.#o.metrics?.setLeader(true);
    this.#setState('leading');
    this.#callback(this.#o.onStartedLeading);
  }

  #stopLeading(): void {
    this.#leading?.abort(new Error('leadership lost'));
    this.#leading = undefined;
    this.#o.metrics?.setLeader(false);
    this.#setState('standby');
    this.#callback(this.#o.onStoppedLeading);
  }

  #setState(state: LeaderState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) {
      try {
        listener(state);
      } catch (error) {
        this.#o.logger.warn('leadership listener failed', { error: describeError(error) });
      }
    }
  }

  #callback(fn: (() => void) | undefined): void {
    try {
      fn?.();
    } catch (error) {
      this.#o.logger.warn('leadership callback failed', { error: describeError(error) });
    }
  }
}

/** A gate that always leads: `--standalone`, or a single replica that needs no Lease. */
export const standaloneGate: LeadershipGate = {
  acquire: async (signal) => (signal.aborted ? undefined : new AbortController().signal),
};

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
