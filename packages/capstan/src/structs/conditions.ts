// Status conditions with metav1.Condition semantics: one entry per type, transition time moves only on a status change.

/** A condition's status: True, False or Unknown. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A `metav1.Condition` as stored in `status.conditions`. */
export interface Condition {
  /** The condition's type (`Ready`); a list holds at most one condition of each type. */
  type: string;
  /** True, False or Unknown. */
  status: ConditionStatus;
  /** CamelCase machine-readable reason; the API requires a non-empty one. */
  reason: string;
  /** A human-readable explanation; may be empty. */
  message: string;
  /** The object's `metadata.generation` the condition was set for. */
  observedGeneration?: number;
  /** When the status last changed (RFC 3339, whole seconds). */
  lastTransitionTime: string;
}

/** What a caller sets: the transition time is decided by `setCondition`. */
export interface ConditionInput {
  /** The condition's type; an existing condition of this type is replaced. */
  type: string;
  /** The status; `true` and `false` stand for `'True'` and `'False'`. */
  status: ConditionStatus | boolean;
  /** CamelCase machine-readable reason; the API requires a non-empty one. */
  reason: string;
  /** A human-readable explanation; empty when absent, truncated to the API's limit of 32768 characters. */
  message?: string;
  /** The object's `metadata.generation` the condition is set for; left out of the condition when absent. */
  observedGeneration?: number | undefined;
}

/** The API server limits a condition message to 32768 characters. */
const maxMessage = 32768;

/** A Kubernetes timestamp (RFC 3339, whole seconds, UTC): what the API server would store anyway. */
export function kubeTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/**
 * A new conditions list with `input` set: replaces the entry of the same type (keeping its
 * lastTransitionTime when the status did not change) or appends it. The input list is not modified.
 */
export function setCondition(conditions: readonly Condition[] | undefined, input: ConditionInput, now: Date = new Date()): Condition[] {
  const list = [...(conditions ?? [])];
  const status: ConditionStatus = typeof input.status === 'boolean' ? (input.status ? 'True' : 'False') : input.status;
  const message = input.message ?? '';
  const index = list.findIndex((c) => c.type === input.type);
  const existing = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: input.type,
    status,
    reason: input.reason,
    message: message.length > maxMessage ? `${message.slice(0, maxMessage - 3)}...` : message,
    ...(input.observedGeneration !== undefined ? { observedGeneration: input.observedGeneration } : {}),
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : kubeTime(now),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** The conditions list without the given type. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** The condition of a type in a conditions list, or undefined. */
export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the condition is True (and, when `generation` is given, observed at that generation). */
export function isTrue(conditions: readonly Condition[] | undefined, type: string, generation?: number): boolean {
  const c = getCondition(conditions, type);
  return c?.status === 'True' && (generation === undefined || c.observedGeneration === generation);
}

/** Whether the condition of a type is present with status False. */
export function isFalse(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'False';
}

/** Whether two condition lists are identical (so a caller can skip writing an unchanged status). */
export function conditionsEqual(a: readonly Condition[] | undefined, b: readonly Condition[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
