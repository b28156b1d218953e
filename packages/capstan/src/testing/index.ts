// capstan/testing: run operators in-process against a real cluster or in memory, wait for conditions, use throw-away namespaces.
export {
  runOperatorInProcess,
  type InProcessSettings,
  type OperatorFactory,
  type RunInProcessOptions,
  type RunningOperator,
} from './run-in-process.js';
export { waitFor, waitForLog, WaitAbortedError, waitUntil, WaitTimeoutError, type ObjectTarget, type WaitOptions } from './waiting.js';
export { deleteNamespace, uniqueNamespace } from './namespaces.js';
export { getProbe, type ProbeAnswer } from './probing.js';
// Unit tests without a cluster: an in-memory KubeClient (an operator runs on it with `createOperator({ client })`).
export { MemoryClient, type MemoryClientOptions, type MemoryRequest } from '../client/surface.js';
export { OperatorProcess, OperatorProcessError, type OperatorProcessOptions, type ProcessExit } from './operator-process.js';
// RBAC from `capstan generate` in a test cluster, proven sufficient and minimal from the audit log.
export { applyGeneratedRbac, describeUnused, rbacCoverage, type AppliedRbac, type GeneratedRbacOptions } from './generated-rbac.js';
