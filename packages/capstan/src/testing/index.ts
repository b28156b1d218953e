// capstan/testing: run operators in-process against a real cluster, wait for conditions, use throw-away namespaces.
export { runOperatorInProcess, type InProcessSettings, type OperatorFactory, type RunInProcessOptions, type RunningOperator } from './run-in-process.js';
export { waitFor, waitForLog, waitUntil, WaitTimeoutError, type ObjectTarget, type WaitOptions } from './waiting.js';
export { deleteNamespace, uniqueNamespace } from './namespaces.js';
export { getProbe, type ProbeAnswer } from './probing.js';
