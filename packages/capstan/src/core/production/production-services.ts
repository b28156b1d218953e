// Production services of one operator run: metrics, Events, probes, health and Lease leader election, behind the engine's seams.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeClient } from '../../client/surface.js';
import { KubeEventPoster } from './event-poster.js';
import { HealthTracker, type HealthTrackerOptions, type LeadershipState } from './health.js';
import type { EventPoster, LeadershipGate, OperatorHooks } from '../hooks.js';
import { LeaderElector } from './leader-election.js';
import { describeError, type Logger } from '../logging.js';
import { combineHooks, createOperatorMetrics, type OperatorMetrics } from './metrics.js';
import { ProbeServer, type ProbeAddress, type ProbeCheck } from './probes.js';

/** Leader election as operator settings: the Lease namespace and name, this instance's identity and the timings. */
export interface LeaderElectionSettings {
  /** Namespace of the Lease (the operator's own namespace). */
  namespace: string;
  /** Default `<operator>-leader`. */
  leaseName?: string;
  /** Unique per instance. Default `<instance or host name>-<random>`. */
  identity?: string;
  /** Standbys take over this long after the leader's last renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long (below the lease duration). Default 10 s. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
}

/** Settings of the production features (part of the operator's settings). */
export interface ProductionSettings {
  /** Prometheus metrics: a fresh registry (default), one you made with createOperatorMetrics(), or false. */
  metrics?: boolean | OperatorMetrics;
  /** Serve /healthz, /readyz and /metrics on this address. Default: no server. */
  probes?:
    | {
        /** The address to bind. Default `0.0.0.0` (probes come from the kubelet, on the pod IP). */
        host?: string;
        /** The port; 0 picks a free one. */
        port: number;
      }
    | false;
  /** Lease leader election: only the leader runs handlers. Default: none (standalone). */
  leaderElection?: LeaderElectionSettings | false;
  /** This instance's name (pod name): Event `reportingInstance`, base of the lease identity. */
  instance?: string;
  /** When liveness counts a watch as down or a worker as stuck. */
  health?: HealthTrackerOptions;
  /** Extra liveness checks by name (kebab-case). */
  healthChecks?: Record<string, ProbeCheck>;
  /** Extra readiness checks by name (kebab-case). */
  readinessChecks?: Record<string, ProbeCheck>;
}

export interface ProductionInput extends ProductionSettings {
  /** The operator's name: Event component, lease name prefix, metrics `operator` label. */
  name: string;
  client: KubeClient;
  logger: Logger;
  /** Already-given seams win: an explicit poster (or false) and an explicit leadership gate are used as they are. */
  events?: EventPoster | false | undefined;
  leadership?: LeadershipGate | undefined;
}

/**
 * The production services for one `run()`: give `hooks`, `poster` and `gate` to the engine, `expect()` the
 * watched resources, `start()` before processing and `stop()` after the engine stopped (flushes Events, releases
 * the lease if still held, closes the probe server).
 */
export class ProductionServices {
  /** The metrics set; undefined when metrics are off. */
  readonly metrics: OperatorMetrics | undefined;
  /** Readiness and liveness derived from the engine's hooks. */
  readonly health: HealthTracker;
  /** Posts Events for handlers; undefined when Events are off. */
  readonly poster: EventPoster | undefined;
  /** The Lease elector; undefined without leader election or when a gate was given. */
  readonly elector: LeaderElector | undefined;
  /** What the engine waits on before processing: the given gate or the elector; undefined when standalone. */
  readonly gate: LeadershipGate | undefined;
  /** The probe server; undefined without probes. */
  readonly probes: ProbeServer | undefined;
  readonly #logger: Logger;
  #probeAddress: ProbeAddress | undefined;

  constructor(input: ProductionInput) {
    this.#logger = input.logger;
    this.metrics =
      input.metrics === false
        ? undefined
        : input.metrics === true || input.metrics === undefined
          ? createOperatorMetrics({ operator: input.name })
          : input.metrics;
    this.health = new HealthTracker(input.health);
    this.poster =
      input.events === false
        ? undefined
        : (input.events ??
          new KubeEventPoster({
            client: input.client,
            reportingComponent: input.name,
            reportingInstance: input.instance,
            logger: input.logger,
            metrics: this.metrics,
          }));
    if (input.leadership) {
      this.gate = input.leadership;
    } else if (input.leaderElection) {
      const le = input.leaderElection;
      this.elector = new LeaderElector({
        client: input.client,
        namespace: le.namespace,
        name: le.leaseName ?? `${input.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-leader`,
        identity: le.identity ?? `${input.instance ?? hostname()}-${randomBytes(4).toString('hex')}`,
        logger: input.logger,
        metrics: this.metrics,
        ...(le.leaseDurationMs ? { leaseDurationMs: le.leaseDurationMs } : {}),
        ...(le.renewDeadlineMs ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
        ...(le.retryPeriodMs ? { retryPeriodMs: le.retryPeriodMs } : {}),
        onNewLeader: (identity) => input.logger.info('leader observed', { leader: identity || '(none)' }),
      });
      this.gate = this.elector;
    } else {
      // Standalone: this instance acts.
      this.metrics?.setLeader(true);
    }
    if (input.probes) {
      this.probes = new ProbeServer({ host: input.probes.host, port: input.probes.port, metrics: this.metrics, logger: input.logger });
      this.health.register(this.probes, () => this.leadership);
      for (const [name, check] of Object.entries(input.healthChecks ?? {})) this.probes.addHealthCheck(name, check);
      for (const [name, check] of Object.entries(input.readinessChecks ?? {})) this.probes.addReadinessCheck(name, check);
    }
  }

  /** leading / standby / unknown (before the first look at the Lease). Without election: leading. */
  get leadership(): LeadershipState {
    if (this.elector) return this.elector.state;
    return 'leading';
  }

  /** Where the probe server listens, once started (undefined without probes and after stop()). */
  get probeAddress(): ProbeAddress | undefined {
    return this.#probeAddress;
  }

  /** The base URL of `probeAddress`. */
  get probeUrl(): string | undefined {
    return this.#probeAddress?.url;
  }

  /** The hooks to give the engine: metrics and health (combine with the user's hooks via combineHooks). */
  hooks(user?: OperatorHooks): OperatorHooks {
    return combineHooks(user, this.metrics?.hooks(), this.health.hooks());
  }

  /** Readiness waits for the initial list of these resources (engine resource ids). */
  expect(resources: Iterable<string>): void {
    for (const r of resources) this.health.expect(r);
  }

  /** Start the probe server and campaigning for the lease (so readiness reflects it before processing). */
  async start(): Promise<void> {
    if (this.probes && !this.#probeAddress) {
      this.#probeAddress = await this.probes.start();
      this.#logger.info('probes listening', { url: this.#probeAddress.url });
    }
    this.elector?.start();
  }

  /** After the engine stopped: flush Events, release the lease if still held, stop the probe server. */
  async stop(): Promise<void> {
    const poster = this.poster as Partial<KubeEventPoster> | undefined;
    await poster?.flush?.().catch(() => {});
    await this.elector
      ?.release()
      .catch((error: unknown) => this.#logger.warn('releasing the lease failed', { error: describeError(error) }));
    await this.probes?.stop();
    this.#probeAddress = undefined;
  }
}
