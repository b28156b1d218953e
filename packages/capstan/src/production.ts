// capstan/production: the services `run()` starts from settings, for embedders who assemble them themselves.
export { KubeEventPoster } from './core/production/event-poster.js';
export type { KubeEventPosterOptions } from './core/production/event-poster.js';
export { combineHooks, createOperatorMetrics } from './core/production/metrics.js';
export type {
  CustomCounter,
  CustomGauge,
  CustomGaugeOptions,
  CustomMetricOptions,
  MetricLabels,
  MetricsOutcome,
  OperatorMetrics,
  OperatorMetricsOptions,
} from './core/production/metrics.js';
export { ProbeServer } from './core/production/probes.js';
export type { ProbeAddress, ProbeCheck, ProbeKind, ProbeResult, ProbeServerOptions } from './core/production/probes.js';
export { HealthTracker } from './core/production/health.js';
export type { HealthTrackerOptions, LeadershipState } from './core/production/health.js';
export { LeaderElector, standaloneGate } from './core/production/leader-election.js';
export type { Lease, LeaseSpec, LeaderElectionOptions, LeaderState } from './core/production/leader-election.js';
export { ProductionServices } from './core/production/production-services.js';
export type { LeaderElectionSettings, ProductionSettings } from './core/production/production-services.js';
export type { EventPoster, EventType } from './core/hooks.js';
// Credentials: what ApiClient.create loads from a KubeConfigSource, for clients of other kinds.
export { loadCredentials } from './client/surface.js';
export type { Credentials, InClusterSource, KubeConfigLike, TlsSettings } from './client/surface.js';
