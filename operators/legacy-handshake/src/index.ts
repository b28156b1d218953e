// Public entry of @capstan/legacy-handshake: the operator factory and its framework-free building blocks.
export { createHandshakeOperator, OPERATOR_NAME, type HandshakeOperator, type HandshakeOperatorOptions } from './operator.js';
export { performHandshake, baseUrl, type HandshakeOptions, type HandshakeResult } from './handshake.js';
export { resolvePort, parsePort, type ResolvedPort } from './port.js';
export {
  parseSuffixRef,
  formatSuffixRef,
  suffixFromSecret,
  SuffixSource,
  DEFAULT_SUFFIX_KEY,
  type SuffixRef,
  type SuffixSourceOptions,
} from './suffix.js';
export { planPod, restartCountOf, recordedRestartCount, isDone, isGated, type PodPlan } from './pod-plan.js';
export { reconcilePod, type PodReconcileDeps, type PodOutcome, type EventSink } from './pod-reconciler.js';
export { templatePatchFor, reconcileDeployment } from './deployment-opt-in.js';
export { gateConditionPatch } from './readiness.js';
export { parseSettings, USAGE, type HandshakeSettings } from './settings.js';
export { HandshakeMetrics } from './metrics.js';
export * from './names.js';
export {
  HandshakeError,
  PortError,
  RefusedError,
  SuffixError,
  SettingsError,
  type HandshakeStep,
  type HandshakeFailure,
} from './errors.js';
export type { Pod, Deployment, Secret } from './kube-types.js';
