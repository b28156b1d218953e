// capstan's public API (adr/0001-public-api.md): everything operators may import from 'capstan'.
export { ApiClient, loadKubeConfig, KubeConfig } from './client/surface.js';
export type {
  ApiClientOptions, CallOptions, DeleteOptions, JsonPatchOp, KubeConfigSource, ListOptions, PatchOptions, PatchType,
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
