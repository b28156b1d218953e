// Example 07: an operator that serves the conversion of Workers between v1 and v2 (and could reconcile them too).
// `capstan run examples/07-conversion/operator.ts --dev` writes the CRD's spec.conversion and serves it locally.
import { createOperator, type CliSettings, type Operator } from 'capstan';
import { Workers } from './resource.js';

export function createWorkerOperator(settings: Partial<CliSettings> = {}): Operator {
  const op = createOperator({ name: 'worker-conversion', ...(settings.logger ? { logger: settings.logger } : {}) });
  op.converts(Workers);
  return op;
}

export default (settings: CliSettings) => createWorkerOperator(settings);
export { Workers } from './resource.js';
