// Turns an apply outcome into the AgeSecret's status (Ready condition, observedGeneration, secretName).
import type { AgeSecret, AgeSecretStatus, Condition } from '../resource.js';
import type { ApplyOutcome } from './apply.js';

export interface StatusUpdate {
  /** The fields to merge into status; undefined when nothing changed. */
  patch?: Pick<AgeSecretStatus, 'conditions' | 'observedGeneration' | 'secretName'>;
  /** Whether the Ready condition's status, reason or message changed (worth an Event). */
  readyChanged: boolean;
  ready: Condition;
}

export function readyMessage(outcome: ApplyOutcome): string {
  if (!outcome.ok) return outcome.message;
  return `Secret ${outcome.secretName} is up to date (${outcome.values} value${outcome.values === 1 ? '' : 's'} decrypted)`;
}

/** The status to write: keeps lastTransitionTime while the condition's status holds (metav1.Condition rules). */
export function statusFor(obj: AgeSecret, outcome: ApplyOutcome, now: Date = new Date()): StatusUpdate {
  const generation = obj.metadata.generation;
  const previous = obj.status?.conditions ?? [];
  const old = previous.find((c) => c.type === 'Ready');
  const status: Condition['status'] = outcome.ok ? 'True' : 'False';
  const reason = outcome.ok ? 'Decrypted' : outcome.reason;
  const message = readyMessage(outcome);
  const ready: Condition = {
    type: 'Ready', status, reason, message,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  const readyChanged = !old || old.status !== status || old.reason !== reason || old.message !== message;
  // Keep the last managed name while failing, so cleanup and renames still find the Secret we own.
  const secretName = outcome.ok ? outcome.secretName : obj.status?.secretName;
  const unchanged = !readyChanged && old?.observedGeneration === generation
    && obj.status?.observedGeneration === generation && obj.status?.secretName === secretName;
  if (unchanged) return { readyChanged, ready };
  const conditions = [...previous.filter((c) => c.type !== 'Ready'), ready];
  return {
    patch: { conditions, ...(generation !== undefined ? { observedGeneration: generation } : {}), ...(secretName ? { secretName } : {}) },
    readyChanged,
    ready,
  };
}
