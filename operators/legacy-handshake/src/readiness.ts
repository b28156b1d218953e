// The readiness-gate pod condition as a strategic-merge patch of pods/status (merged by condition type).
import { READINESS_CONDITION } from './names.js';

export interface GateConditionOptions {
  ready: boolean;
  reason: string;
  message: string;
  now?: Date;
}

/**
 * A strategic merge patch body for pods/status. Conditions merge by `type`, so the kubelet's own
 * conditions are kept; a JSON merge patch would replace the whole list.
 */
export function gateConditionPatch(options: GateConditionOptions): Record<string, unknown> {
  return {
    status: {
      conditions: [
        {
          type: READINESS_CONDITION,
          status: options.ready ? 'True' : 'False',
          reason: options.reason,
          message: options.message,
          lastProbeTime: null,
          lastTransitionTime: (options.now ?? new Date()).toISOString(),
        },
      ],
    },
  };
}
