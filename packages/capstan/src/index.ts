// capstan's public API (adr/0001-public-api.md): everything operators may import from 'capstan'.
export { ApiClient, loadCredentials } from './client/surface.js';
export type { KubeClient, ObjectBody } from './client/surface.js';
export type {
  ApiClientOptions, CallOptions, Credentials, DeleteOptions, InClusterSource, JsonPatchOp, KubeConfigLike, KubeConfigSource, ListOptions, ListPage,
  PatchOptions, PatchType, TlsSettings,
  WatchEvent, WatchEventType, WatchOptions, WriteOptions,
} from './client/surface.js';
export {
  ApiError, BadRequestError, CapstanError, ConfigurationError, ConflictError, ConnectionError, ForbiddenError, GoneError,
  HandlerTimeoutError, InvalidError, NotFoundError, PermanentError, ServerError, TemporaryError, TimeoutError,
  TooManyRequestsError, UnauthorizedError,
} from './structs/errors.js';
export type { KubeList, KubeObject, ListMeta, ObjectKey, ObjectMeta, OwnerReference, ResolvedResource, ResourceRef } from './structs/objects.js';
export { apiVersionOf, objectKeyOf } from './structs/objects.js';
export { ABSENT, PRESENT } from './structs/filters.js';
export type { MetaFilter, ValueFilter } from './structs/filters.js';
export type { DiffItem, DiffOp } from './structs/diff.js';
export { createOperator } from './core/operator.js';
export type {
  Cause, DaemonOptions, FilterOptions, Handler, HandlerContext, HandlerOptions, Index, Operator, OperatorSettings,
  ReconcileOptions, ReconcileResult, Reconciler, ResourceHandle, RunOptions, SpecOf, StatusOf, TimerOptions, WatchSettings,
} from './core/types.js';
export type {
  EventPoster, EventRecorder, EventType, HandlerKind, HandlerOutcome, LeadershipGate, OperatorHooks,
} from './core/hooks.js';
export { consoleLogger, describeError, silentLogger } from './core/logging.js';
export type { ConsoleLoggerOptions, LogFields, Logger, LogLevel } from './core/logging.js';
export type { PatchAccumulator } from './structs/patch-accumulator.js';
export type { DeepReadonly } from './structs/frozen.js';
export type { BackoffOptions } from './structs/backoff.js';
export type { CliSettings, OperatorModuleFactory } from './cli/load-module.js';
// Production features (README.md, "Production"): conditions, typed custom resources, children, Events, metrics, probes, leader election.
export { conditionsEqual, getCondition, isFalse, isTrue, removeCondition, setCondition } from './structs/conditions.js';
export type { Condition, ConditionInput, ConditionStatus } from './structs/conditions.js';
export { s } from './structs/schema/builder.js';
export type { ArrayOptions, Infer, InferShape, JsonSchemaProps, NumberOptions, ObjectOptions, Schema, StringOptions, ValidationRule } from './structs/schema/builder.js';
export { defineCustomResource, isCustomResource } from './structs/schema/custom-resource.js';
export type { CustomResource, CustomResourceDefinition, CustomResourceOptions, ObjectOf, PrinterColumn } from './structs/schema/custom-resource.js';
export { toYaml } from './structs/schema/yaml.js';
export { adopt, applyChild, controllerOf, isOwnedBy, ownerReferenceFor } from './core/children.js';
export type { ApplyChildOptions, OwnerReferenceOptions } from './core/children.js';
export { KubeEventPoster } from './core/event-poster.js';
export type { KubeEventPosterOptions } from './core/event-poster.js';
export { combineHooks, createOperatorMetrics } from './core/metrics.js';
export type { MetricsOutcome, OperatorMetrics, OperatorMetricsOptions } from './core/metrics.js';
export { ProbeServer } from './core/probes.js';
export type { ProbeAddress, ProbeCheck, ProbeKind, ProbeResult, ProbeServerOptions } from './core/probes.js';
export { HealthTracker } from './core/health.js';
export type { HealthTrackerOptions, LeadershipState } from './core/health.js';
export { LeaderElector, standaloneGate } from './core/leader-election.js';
export type { Lease, LeaseSpec, LeaderElectionOptions, LeaderState } from './core/leader-election.js';
export { ProductionServices } from './core/production.js';
export type { LeaderElectionSettings, ProductionSettings } from './core/production.js';
