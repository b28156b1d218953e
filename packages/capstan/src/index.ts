// capstan's public API (adr/0001-public-api.md): what an operator author imports from 'capstan'.
// Production services are in 'capstan/production', test helpers in 'capstan/testing'.
export { ApiClient } from './client/surface.js';
export type {
  ApiClientOptions,
  CallOptions,
  DeleteOptions,
  JsonPatchOp,
  KubeClient,
  KubeConfigSource,
  ListOptions,
  ListPage,
  ObjectBody,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchEventType,
  WatchOptions,
  WriteOptions,
} from './client/surface.js';
export {
  AdmissionError,
  ApiError,
  BadRequestError,
  CapstanError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  ForbiddenError,
  GoneError,
  HandlerTimeoutError,
  InvalidError,
  NotFoundError,
  PermanentError,
  ServerError,
  TemporaryError,
  TimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
} from './structs/errors.js';
export type {
  KubeList,
  KubeObject,
  ListMeta,
  ObjectKey,
  ObjectMeta,
  OwnerReference,
  ResolvedResource,
  ResourceRef,
} from './structs/objects.js';
export { apiVersionOf, objectKeyOf } from './structs/objects.js';
export { ABSENT, PRESENT } from './structs/filters.js';
export type { MetaFilter, ValueFilter } from './structs/filters.js';
export type { DiffItem, DiffOp } from './structs/diff.js';
export { createOperator } from './core/operator.js';
export type { ObjectChange, WatchedObjects, WatchedObjectsOptions } from './core/types.js';
export type {
  AdmissionHandle,
  Cause,
  DaemonOptions,
  FilterOptions,
  Handler,
  HandlerContext,
  HandlerOptions,
  Index,
  Operator,
  OperatorSettings,
  ReconcileOptions,
  ReconcileResult,
  Reconciler,
  ResourceHandle,
  ResourceOptions,
  RunOptions,
  SpecOf,
  StatusOf,
  TimerOptions,
  WatchSettings,
} from './core/types.js';
export type { ApiVerb, PermissionOptions } from './core/description.js';
// Admission: validate and mutate handlers, served by the operator's webhook server (settings `admission`).
export type {
  AdmissionOperation,
  AdmissionOptions,
  AdmissionRequest,
  AdmissionSettings,
  AdmissionUser,
  LabelSelector,
  MutateHandler,
  MutationResult,
  ValidateHandler,
  ValidationResult,
  WebhookCertificates,
  WebhookEndpoint,
} from './core/admission/types.js';
export type { EventRecorder, HandlerKind, HandlerOutcome, LeadershipGate, OperatorHooks } from './core/hooks.js';
export { consoleLogger, describeError, silentLogger } from './core/logging.js';
export type { ConsoleLoggerOptions, LogFields, Logger, LogLevel } from './core/logging.js';
export type { PatchAccumulator } from './structs/patch-accumulator.js';
export type { DeepReadonly } from './structs/frozen.js';
export type { BackoffOptions } from './structs/backoff.js';
export type { CliSettings, OperatorModuleFactory } from './cli/load-module.js';
// Status conditions, typed custom resources and children (owner references, server-side apply).
export { conditionsEqual, getCondition, isFalse, isTrue, removeCondition, setCondition } from './structs/conditions.js';
export type { Condition, ConditionInput, ConditionStatus } from './structs/conditions.js';
export { s } from './structs/schema/builder.js';
export type { Infer, JsonSchemaProps, Schema, ValidationRule } from './structs/schema/builder.js';
export { defineCustomResource, isCustomResource } from './structs/schema/custom-resource.js';
export type {
  CustomResource,
  CustomResourceDefinition,
  CustomResourceOptions,
  ObjectOf,
  PrinterColumn,
} from './structs/schema/custom-resource.js';
export { toYaml } from './structs/schema/yaml.js';
export { adopt, applyChild, controllerOf, isOwnedBy, ownerReferenceFor } from './core/children.js';
export type { ApplyChildOptions, OwnerReferenceOptions } from './core/children.js';
export type { LeaderElectionSettings, ProductionSettings } from './core/production/production-services.js';
export type { ProbeAddress } from './core/production/probes.js';
