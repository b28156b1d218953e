// Prometheus metrics of one operator (prom-client, its own Registry): handlers, queues, watches, API calls, leadership.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperatorHooks } from '../hooks.js';

/** The outcome label of handler metrics. */
export type MetricsOutcome = 'success' | 'retry' | 'permanent' | 'timeout' | 'aborted';

/**
 * What the engine, the client and the production features report. Labels are bounded: resources are
 * `group/version/plural`, handlers are handler ids; never object names, namespaces or values (cardinality,
 * and secrets never leak into metrics).
 */
export interface OperatorMetrics {
  /** The registry holding these metrics. */
  readonly registry: Registry;
  /** A handler run ended: counts it by outcome and observes its duration. */
  handlerFinished(info: { resource: string; handler: string; outcome: MetricsOutcome; seconds: number; retry?: number }): void;
  /** A retry was scheduled for a handler. */
  retryScheduled(info: { resource: string; handler: string }): void;
  /** The objects queued, running or scheduled (`depth`) and those being processed now (`running`). */
  queueDepth(info: { resource: string; depth: number; running?: number }): void;
  /** Time between an object being queued and its worker starting on it. */
  queueWait(info: { resource: string; seconds: number }): void;
  /** A watch stream (re)started, and why (initial, ended, gone, error, stalled). */
  watchStarted(info: { resource: string; reason: string }): void;
  /** A watch event arrived, by type. */
  watchEvent(info: { resource: string; type: string }): void;
  /** Listing or watching a resource failed. */
  watchError(info: { resource: string }): void;
  /** The initial list of a resource is done. */
  synced(info: { resource: string }): void;
  /** An API request ended: its latency by verb and status code (0 when no response came). */
  apiRequest(info: { verb: string; status: number; seconds: number }): void;
  /** A Kubernetes Event was created, counted into an earlier one, dropped by the rate limit, or failed. */
  eventPosted(info: { type: string; outcome: 'created' | 'aggregated' | 'failed' | 'dropped' }): void;
  /** Whether this instance leads now (1 or 0 on the leader gauge). */
  setLeader(leading: boolean): void;
  /** The engine's hooks (see hooks.ts) feeding these metrics. */
  hooks(): OperatorHooks;
  /**
   * A counter of the operator's own in this registry (served on the same `/metrics`). The name is taken as given
   * (no prefix). Keep labels bounded and free of secrets: namespaces and reasons, never object names or values.
   */
  counter(options: CustomMetricOptions): CustomCounter;
  /** A gauge of the operator's own in this registry; with `collect`, its values are computed at each scrape. */
  gauge(options: CustomGaugeOptions): CustomGauge;
  /** The exposition text and its content type, for `/metrics`. */
  render(): Promise<{
    /** The Prometheus exposition format's content type, for the response header. */
    contentType: string;
    /** The metrics in the exposition format. */
    body: string;
  }>;
}

/** A metric of the operator's own: its full name, help text and label names. */
export interface CustomMetricOptions {
  /** The metric name, e.g. `agesecret_decryptions_total` (Prometheus naming: letters, digits, `_`). */
  name: string;
  /** One line saying what it counts or measures. */
  help: string;
  /** Label names; the values given must stay few (cardinality) and never carry secrets. */
  labelNames?: readonly string[];
}

/** Label values by label name. */
export type MetricLabels = Record<string, string>;

/** A gauge of the operator's own; `collect` computes every series at scrape time (replacing those set before). */
export interface CustomGaugeOptions extends CustomMetricOptions {
  /** Called at each scrape: the series to expose now, each with its labels and value. */
  collect?: () => Iterable<{ labels: MetricLabels; value: number }>;
}

/** A counter made by `OperatorMetrics.counter`. */
export interface CustomCounter {
  /** Adds `value` (default 1) to the series of these labels. */
  inc(labels?: MetricLabels, value?: number): void;
}

/** A gauge made by `OperatorMetrics.gauge`. */
export interface CustomGauge {
  /** Sets the series of these labels. */
  set(labels: MetricLabels, value: number): void;
  /** Drops every series (e.g. before setting the current ones). */
  reset(): void;
}

/** Options of `createOperatorMetrics`: the operator label, a metric name prefix, process metrics and a registry. */
export interface OperatorMetricsOptions {
  /** Added as the constant label `operator` to every series. */
  operator?: string;
  /** Metric name prefix. Default `capstan_`. */
  prefix?: string;
  /** Also collect Node.js process metrics (CPU, memory, event loop lag, GC) into this registry. Default true. */
  processMetrics?: boolean;
  /** Use this registry instead of a fresh one (e.g. to serve capstan's metrics with your own). */
  registry?: Registry;
}

// Handlers range from milliseconds to minutes; API calls from a millisecond to a timeout.
const handlerBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const apiBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60];

/** A fresh metrics set (never prom-client's global registry, so several operators can share a process). */
export function createOperatorMetrics(options: OperatorMetricsOptions = {}): OperatorMetrics {
  const registry = options.registry ?? new Registry();
  const p = options.prefix ?? 'capstan_';
  if (options.operator) registry.setDefaultLabels({ operator: options.operator });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: p });
  const registers = [registry];

  const handlerRuns = new Counter({
    name: `${p}handler_runs_total`,
    help: 'Handler runs by outcome.',
    labelNames: ['resource', 'handler', 'outcome'],
    registers,
  });
  const handlerDuration = new Histogram({
    name: `${p}handler_duration_seconds`,
    help: 'Handler run time.',
    labelNames: ['resource', 'handler'],
    buckets: handlerBuckets,
    registers,
  });
  const retries = new Counter({
    name: `${p}handler_retries_total`,
    help: 'Handler retries scheduled.',
    labelNames: ['resource', 'handler'],
    registers,
  });
  const queueDepth = new Gauge({ name: `${p}queue_depth`, help: 'Objects waiting to be processed.', labelNames: ['resource'], registers });
  const queueRunning = new Gauge({ name: `${p}queue_running`, help: 'Objects being processed now.', labelNames: ['resource'], registers });
  const queueWait = new Histogram({
    name: `${p}queue_wait_seconds`,
    help: 'Time from queueing an object to processing it.',
    labelNames: ['resource'],
    buckets: handlerBuckets,
    registers,
  });
  const watchStarts = new Counter({
    name: `${p}watch_starts_total`,
    help: 'Watch streams started, by reason (initial, ended, gone, error, stalled).',
    labelNames: ['resource', 'reason'],
    registers,
  });
  const watchEvents = new Counter({
    name: `${p}watch_events_total`,
    help: 'Watch events received, by type.',
    labelNames: ['resource', 'type'],
    registers,
  });
  const watchErrors = new Counter({ name: `${p}watch_errors_total`, help: 'Watch stream errors.', labelNames: ['resource'], registers });
  const synced = new Gauge({
    name: `${p}resource_synced`,
    help: '1 once the initial list of a resource is done.',
    labelNames: ['resource'],
    registers,
  });
  const apiLatency = new Histogram({
    name: `${p}api_request_duration_seconds`,
    help: 'Kubernetes API request latency by verb and status code (0: no response).',
    labelNames: ['verb', 'code'],
    buckets: apiBuckets,
    registers,
  });
  const events = new Counter({
    name: `${p}events_posted_total`,
    help: 'Kubernetes Events by type and outcome (created, aggregated, failed, dropped).',
    labelNames: ['type', 'outcome'],
    registers,
  });
  const leader = new Gauge({
    name: `${p}leader_status`,
    help: '1 while this instance holds the leader lease (or runs standalone).',
    registers,
  });
  leader.set(0);

  const metrics: OperatorMetrics = {
    registry,
    handlerFinished({ resource, handler, outcome, seconds }) {
      handlerRuns.inc({ resource, handler, outcome });
      handlerDuration.observe({ resource, handler }, seconds);
    },
    retryScheduled({ resource, handler }) {
      retries.inc({ resource, handler });
    },
    queueDepth({ resource, depth, running }) {
      queueDepth.set({ resource }, depth);
      if (running !== undefined) queueRunning.set({ resource }, running);
    },
    queueWait({ resource, seconds }) {
      queueWait.observe({ resource }, seconds);
    },
    watchStarted({ resource, reason }) {
      watchStarts.inc({ resource, reason });
    },
    watchEvent({ resource, type }) {
      watchEvents.inc({ resource, type });
    },
    watchError({ resource }) {
      watchErrors.inc({ resource });
    },
    synced({ resource }) {
      synced.set({ resource }, 1);
    },
    apiRequest({ verb, status, seconds }) {
      apiLatency.observe({ verb, code: String(status) }, seconds);
    },
    eventPosted({ type, outcome }) {
      events.inc({ type, outcome });
    },
    setLeader(leading) {
      leader.set(leading ? 1 : 0);
    },
    hooks() {
      return {
        handlerRun: (i) => {
          metrics.handlerFinished({ resource: i.resource, handler: i.handler, outcome: i.outcome, seconds: i.durationMs / 1000 });
          if (i.outcome === 'retry' || i.outcome === 'timeout') metrics.retryScheduled({ resource: i.resource, handler: i.handler });
        },
        watchEvent: (i) => metrics.watchEvent(i),
        watchRestart: (i) => metrics.watchStarted(i),
        watchError: (i) => metrics.watchError({ resource: i.resource }),
        synced: (i) => metrics.synced(i),
        queue: (i) => metrics.queueDepth(i),
        workStarted: (i) => metrics.queueWait({ resource: i.resource, seconds: i.waitMs / 1000 }),
        apiRequest: (i) => metrics.apiRequest({ verb: i.verb, status: i.status, seconds: i.durationMs / 1000 }),
        leadership: (i) => metrics.setLeader(i.leading),
      };
    },
    counter({ name, help, labelNames = [] }) {
      const counter = new Counter({ name, help, labelNames: [...labelNames], registers });
      return { inc: (labels = {}, value = 1) => counter.inc(labels, value) };
    },
    gauge({ name, help, labelNames = [], collect }) {
      const gauge: Gauge = new Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers,
        ...(collect
          ? {
              collect() {
                gauge.reset();
                for (const { labels, value } of collect()) gauge.set(labels, value);
              },
            }
          : {}),
      });
      return { set: (labels, value) => gauge.set(labels, value), reset: () => gauge.reset() };
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
  return metrics;
}

/** Call several hook sets (the user's, metrics, probes) from one: the engine takes a single OperatorHooks. */
export function combineHooks(...sets: (OperatorHooks | undefined)[]): OperatorHooks {
  const live = sets.filter((h): h is OperatorHooks => !!h);
  const keys = new Set(live.flatMap((h) => Object.keys(h) as (keyof OperatorHooks)[]));
  const out: Record<string, (info: never) => void> = {};
  for (const key of keys) {
    out[key] = (info: never) => {
      for (const h of live) {
        try {
          (h[key] as ((i: never) => void) | undefined)?.(info);
        } catch {
          // one observer failing must not starve the others
        }
      }
    };
  }
  return out as OperatorHooks;
}
