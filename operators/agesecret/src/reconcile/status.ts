// Turns an apply outcome into the AgeSecret's status (Ready and Suspended conditions, observedGeneration, secretName).
import { getCondition, removeCondition, setCondition, type Condition } from 'capstan';
import type { AgeSecret, AgeSecretStatus } from '../resource.js';
import type { KeyStatus } from '../keys/key-status.js';
import type { ApplyOutcome } from './apply.js';

export interface StatusUpdate {
  /** The fields to merge into status; undefined when nothing changed. */
  patch?: Pick<AgeSecretStatus, 'conditions' | 'observedGeneration' | 'secretName' | 'recipients' | 'needsReencryption'>;
  /** Whether the Ready condition's status, reason or message changed (worth an Event). */
  readyChanged: boolean;
  ready: Condition;
}

export function readyMessage(outcome: ApplyOutcome): string {
  if (!outcome.ok) return outcome.message;
  return `Secret ${outcome.secretName} is up to date (${outcome.values} value${outcome.values === 1 ? '' : 's'} decrypted)`;
}

/**
 * The status to write: capstan's setCondition keeps lastTransitionTime while the condition's status holds. `keys`
 * (the key Secret's recipients and whether a retiring one is still needed): undefined leaves those fields as they are.
 */
export function statusFor(obj: AgeSecret, outcome: ApplyOutcome, now: Date = new Date(), keys?: KeyStatus): StatusUpdate {
  const generation = obj.metadata.generation;
  // Resumed: the Suspended condition goes (present only while suspended, so other objects' status never changes).
  const wasSuspended = getCondition(obj.status?.conditions, SUSPENDED) !== undefined;
  const previous = removeCondition(obj.status?.conditions, SUSPENDED);
  const old = getCondition(previous, 'Ready');
  const reason = outcome.ok ? 'Decrypted' : outcome.reason;
  const message = readyMessage(outcome);
  const conditions = setCondition(previous, { type: 'Ready', status: outcome.ok, reason, message, observedGeneration: generation }, now);
  const ready = getCondition(conditions, 'Ready')!;
  const readyChanged = !old || old.status !== ready.status || old.reason !== reason || old.message !== message;
  // Keep the last managed name while failing, so renames still find the Secret we own.
  const secretName = outcome.ok ? outcome.secretName : obj.status?.secretName;
  const unchanged =
    !wasSuspended &&
    !readyChanged &&
    old?.observedGeneration === generation &&
    obj.status?.observedGeneration === generation &&
    obj.status?.secretName === secretName &&
    (!keys ||
      (obj.status?.needsReencryption === keys.needsReencryption &&
        JSON.stringify(obj.status?.recipients ?? []) === JSON.stringify(keys.recipients)));
  if (unchanged) return { readyChanged, ready };
  return {
    patch: {
      conditions,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      ...(secretName ? { secretName } : {}),
      ...(keys ? { recipients: keys.recipients, needsReencryption: keys.needsReencryption } : {}),
    },
    readyChanged,
    ready,
  };
}

/** The condition present only while spec.suspend is true. */
export const SUSPENDED = 'Suspended';

/**
 * The status of a suspended AgeSecret: a Suspended condition for this generation; Ready, observedGeneration and
 * secretName keep what was last applied (this generation was not). Undefined when it already says so.
 */
export function suspendedStatusFor(obj: AgeSecret, now: Date = new Date()): Pick<AgeSecretStatus, 'conditions'> | undefined {
  const generation = obj.metadata.generation;
  const target = obj.spec?.secretName ?? obj.status?.secretName;
  const message = `spec.suspend is true: the operator writes nothing to ${target ? `Secret ${target}` : 'the Secret'} until it is false`;
  const old = getCondition(obj.status?.conditions, SUSPENDED);
  if (old?.status === 'True' && old.message === message && old.observedGeneration === generation) return undefined;
  return {
    conditions: setCondition(
      obj.status?.conditions,
      {
        type: SUSPENDED,
        status: true,
        reason: 'Suspended',
        message,
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      },
      now,
    ),
  };
}
