// The engine's pure decisions: which handlers are due for an object now, and what to persist afterwards.
import { diff, type DiffItem } from '../../structs/diff.js';
import { digestOf, essenceOf, hashOf } from '../../structs/essence.js';
import { fieldChanged } from '../../structs/filters.js';
import type { KubeObject } from '../../structs/objects.js';
import { getPath } from '../../structs/paths.js';
import { decodeState, fresh, isDue, type AttemptOutcome, type HandlingState, type Progress } from '../../structs/progress.js';
import type { RegisteredHandler, RegisteredTimer, ResourceRegistration } from './registry.js';
import type { Cause, FilterOptions, Handler, HandlerOptions } from '../types.js';
import { progressIn, type ObjectMemory, type RawEventType } from './memory.js';

/** Whether a handler's filters (labels, annotations, `when`) accept the object for a cause. */
export type Matcher = (options: FilterOptions<KubeObject>, cause: Cause) => boolean;

/** The registrations the planner reads. */
export type PlanRegistration = Pick<ResourceRegistration, 'handlers' | 'timers' | 'reconciler' | 'tracksChanges'> & {
  readonly retiredFinalizers?: readonly string[];
};

export interface PlanInput {
  registration: PlanRegistration;
  object: KubeObject;
  memory: Readonly<ObjectMemory>;
  now: number;
  stateAnnotation: string;
  /** This resource's finalizer. */
  finalizer: string;
  matches: Matcher;
}

/** One handler to run, with the progress it runs under. */
export type Step =
  | { kind: 'event'; handler: RegisteredHandler; event: RawEventType }
  | { kind: 'farewell'; id: string; cause: 'delete' | 'cleanup'; fn: Handler<KubeObject>; timeoutMs?: number | undefined }
  | { kind: 'resume'; handler: RegisteredHandler; progress: Progress }
  | { kind: 'change'; handler: RegisteredHandler; progress: Progress; old: unknown; new: unknown; diff: readonly DiffItem[] }
  | { kind: 'reconcile'; progress: Progress }
  | { kind: 'timer'; timer: RegisteredTimer; progress: Progress }
  | {
      kind: 'deletion';
      id: string;
      cause: 'delete' | 'cleanup';
      fn: Handler<KubeObject>;
      options: HandlerOptions<KubeObject>;
      progress: Progress;
    };

/** The change being handled: what finishChange needs to persist its progress or the new diff base. */
export interface ChangePlan {
  cause: 'create' | 'update';
  /** The persisted state before this round (undefined when absent or unreadable). */
  state: HandlingState | undefined;
  /** The ids of the handlers this change applies to, and their progress before this round. */
  handlers: Record<string, Progress>;
}

export type RoundPlan =
  /** The object is gone (DELETED seen): farewell handlers, then forget it. */
  | { phase: 'gone'; events: Step[]; steps: Step[] }
  /** Being deleted without our finalizer: farewell handlers once, nothing written. */
  | { phase: 'leaving'; events: Step[]; steps: Step[] }
  /** Being deleted under our finalizer: delete handlers and cleanup with persisted progress. */
  | DeletingPlan
  | LivePlan;

export interface DeletingPlan {
  phase: 'deleting';
  events: Step[];
  steps: Step[];
  /** Every delete handler's and the cleanup's progress before this round (due or not). */
  progress: Record<string, Progress>;
  state: HandlingState | undefined;
  wakeAt: number | undefined;
  /** Our finalizers on the object (the current one and retired ones), removed once deletion is complete. */
  finalizers: string[];
}

export interface LivePlan {
  phase: 'live';
  events: Step[];
  /** The essence and its hash as seen now. */
  hash: string;
  essence: Record<string, unknown>;
  /** Our finalizer to add, or finalizers (ours or retired) to remove. */
  finalizer: { add?: string; remove?: string[] };
  steps: Step[];
  change: ChangePlan | undefined;
  /** The diff base when the essence did not change (refreshes memory). */
  unchanged: boolean;
  /** Timers whose filters stopped matching (forgotten until the object changes) and first ticks to schedule. */
  timerDrops: string[];
  timerStarts: { id: string; at: number }[];
  wakeAt: number | undefined;
}

const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * What a reconcile reacts to: the essence and the status (so a status written by someone else re-runs it). Kept
 * in memory per object and never persisted, so it is the whole digest, one flat string (hashOf's shortened form
 * is a slice that keeps the whole digest alive besides).
 */
export function reconcileFingerprint(obj: KubeObject, stateAnnotation: string): string {
  return digestOf({ e: essenceOf(obj, { stateAnnotation }), s: obj.status ?? null });
}

/** Delete handlers and cleanup of the resource that apply to the object. */
function deletionHandlers(
  input: PlanInput,
): { id: string; cause: 'delete' | 'cleanup'; fn: Handler<KubeObject>; options: HandlerOptions<KubeObject>; blocking: boolean }[] {
  const { registration: reg, matches } = input;
  const out: ReturnType<typeof deletionHandlers> = reg.handlers
    .filter((h) => h.cause === 'delete' && matches(h.options, 'delete'))
    .map((h) => ({ id: h.id, cause: 'delete', fn: h.fn, options: h.options, blocking: !h.options.optional }));
  const rec = reg.reconciler;
  const cleanup = rec?.reconciler.cleanup;
  if (rec && cleanup && matches(rec.options, 'cleanup')) {
    out.push({
      id: 'cleanup',
      cause: 'cleanup',
      fn: (ctx) => cleanup(ctx),
      options: { timeoutMs: rec.options.timeoutMs, backoff: rec.options.backoff },
      blocking: rec.options.finalizer !== false,
    });
  }
  return out;
}

/**
 * Whether the object needs our finalizer: only when a blocking delete handler or the reconciler's cleanup
 * applies to it. Children with ownerReferences need none: garbage collection removes them.
 */
export function needsFinalizer(input: PlanInput): boolean {
  return deletionHandlers(input).some((d) => d.blocking);
}

function eventSteps(input: PlanInput): Step[] {
  const event = input.memory.pendingEvent;
  if (!event) return [];
  return input.registration.handlers
    .filter((h) => h.cause === 'event' && input.matches(h.options, 'event'))
    .map((handler) => ({ kind: 'event', handler, event }));
}

/** Decide the round for an object: what runs now, in order, and when to come back. */
export function planRound(input: PlanInput): RoundPlan {
  const { object: obj, memory } = input;
  const events = eventSteps(input);
  const farewell = (): Step[] =>
    memory.farewellDone
      ? []
      : deletionHandlers(input).map((d) => ({ kind: 'farewell', id: d.id, cause: d.cause, fn: d.fn, timeoutMs: d.options.timeoutMs }));
  if (memory.gone) return { phase: 'gone', events, steps: farewell() };
  if (obj.metadata.deletionTimestamp) {
    const ours = [input.finalizer, ...(input.registration.retiredFinalizers ?? [])].filter((f) => obj.metadata.finalizers?.includes(f));
    if (!obj.metadata.finalizers?.includes(input.finalizer)) {
      // Retired finalizers are released right away: nothing of ours runs under them any more.
      return ours.length
        ? { phase: 'deleting', events, steps: farewell(), progress: {}, state: undefined, wakeAt: undefined, finalizers: ours }
        : { phase: 'leaving', events, steps: farewell() };
    }
    return planDeletion(input, events, ours);
  }
  return planLive(input, events);
}

function planDeletion(input: PlanInput, events: Step[], finalizers: string[]): DeletingPlan {
  const { memory, now, object: obj } = input;
  const state = decodeState(obj.metadata.annotations?.[input.stateAnnotation]);
  const steps: Step[] = [];
  const all: Record<string, Progress> = {};
  let wakeAt: number | undefined;
  for (const d of deletionHandlers(input)) {
    // Memory is never older than the annotation (we wrote it); after a restart only the annotation knows.
    const progress = progressIn(memory, 'deletion', d.id) ?? state?.deletion?.[d.id] ?? fresh();
    all[d.id] = progress;
    if (progress.done) continue;
    if (!isDue(progress, now)) {
      wakeAt = earliest(wakeAt, progress.notBefore);
      continue;
    }
    steps.push({ kind: 'deletion', id: d.id, cause: d.cause, fn: d.fn, options: d.options, progress });
  }
  return { phase: 'deleting', events, steps, progress: all, state, wakeAt, finalizers };
}

function planLive(input: PlanInput, events: Step[]): LivePlan {
  const { registration: reg, object: obj, memory, now, matches } = input;
  const essence = essenceOf(obj, { stateAnnotation: input.stateAnnotation });
  const hash = hashOf(essence);
  const steps: Step[] = [];
  let wakeAt: number | undefined;

  const finalizer: LivePlan['finalizer'] = {};
  const held = obj.metadata.finalizers ?? [];
  const needed = needsFinalizer(input);
  if (needed && !held.includes(input.finalizer)) finalizer.add = input.finalizer;
  const stale = [...(needed ? [] : [input.finalizer]), ...(input.registration.retiredFinalizers ?? [])].filter(
    (f) => held.includes(f) && (!needed || f !== input.finalizer),
  );
  if (stale.length) finalizer.remove = stale;

  if (memory.initial) {
    for (const handler of reg.handlers) {
      if (handler.cause !== 'resume' || !matches(handler.options, 'resume')) continue;
      const progress = progressIn(memory, 'resume', handler.id) ?? fresh();
      if (progress.done) continue;
      if (!isDue(progress, now)) wakeAt = earliest(wakeAt, progress.notBefore);
      else steps.push({ kind: 'resume', handler, progress });
    }
  }

  let change: ChangePlan | undefined;
  let unchanged = false;
  if (reg.tracksChanges) {
    const state = decodeState(obj.metadata.annotations?.[input.stateAnnotation]);
    if (state?.handled?.hash === hash) unchanged = true;
    else {
      const cause = state?.handled ? 'update' : 'create';
      const oldEssence = state?.handled && memory.handled?.hash === state.handled.hash ? memory.handled.essence : state?.handled?.essence;
      const changes = cause === 'update' && oldEssence ? diff(oldEssence, essence) : [];
      const fieldOk = (path: string | undefined): boolean => {
        if (!path) return true;
        if (cause === 'create') return getPath(essence, path) !== undefined || getPath(obj, path) !== undefined;
        return oldEssence ? fieldChanged(path, oldEssence, essence) : true; // unknown base: assume changed
      };
      const base = state?.pending?.hash === hash ? state.pending.handlers : {};
      const handlers: Record<string, Progress> = {};
      for (const handler of reg.handlers) {
        if (!(handler.cause === cause || handler.cause === 'field') || !fieldOk(handler.options.field) || !matches(handler.options, cause))
          continue;
        const progress = base[handler.id] ?? fresh();
        handlers[handler.id] = progress;
        if (progress.done) continue;
        if (!isDue(progress, now)) {
          wakeAt = earliest(wakeAt, progress.notBefore);
          continue;
        }
        const field = handler.cause === 'field' ? (handler.options.field ?? '') : undefined;
        steps.push({
          kind: 'change',
          handler,
          progress,
          diff: changes,
          old: field !== undefined ? getPath(oldEssence, field) : oldEssence,
          new: field !== undefined ? getPath(essence, field) : essence,
        });
      }
      change = { cause, state, handlers };
    }
  }

  const rec = reg.reconciler;
  if (rec && matches(rec.options, 'reconcile')) {
    const fingerprint = reconcileFingerprint(obj, input.stateAnnotation);
    const changed = memory.reconcileRequested || memory.reconciledFingerprint !== fingerprint;
    const due = isDue(memory.reconcile, now);
    // A change or a request runs it now (even during a retry delay: the latest state may fix the failure).
    if (changed || (memory.reconcile.notBefore !== undefined && due)) steps.push({ kind: 'reconcile', progress: memory.reconcile });
    else if (memory.reconcile.notBefore !== undefined) wakeAt = earliest(wakeAt, memory.reconcile.notBefore);
  }

  // A change seen in this very round counts: an idle timer must not fire on it.
  const lastChangeAt = memory.seenHash !== undefined && memory.seenHash !== hash ? now : memory.lastChangeAt;
  const timerDrops: string[] = [];
  const timerStarts: { id: string; at: number }[] = [];
  for (const timer of reg.timers) {
    if (!matches(timer.options, 'timer')) {
      if (progressIn(memory, 'timers', timer.id)) timerDrops.push(timer.id);
      continue;
    }
    let progress = progressIn(memory, 'timers', timer.id);
    if (!progress) {
      progress = { retries: 0, notBefore: now + (timer.options.initialDelayMs ?? timer.intervalMs) };
      timerStarts.push({ id: timer.id, at: progress.notBefore! });
    }
    let due = progress.notBefore ?? now;
    if (timer.options.idleMs) due = Math.max(due, lastChangeAt + timer.options.idleMs);
    if (due > now) wakeAt = earliest(wakeAt, due);
    else steps.push({ kind: 'timer', timer, progress });
  }

  return { phase: 'live', events, hash, essence, finalizer, steps, change, unchanged, timerDrops, timerStarts, wakeAt };
}

/**
 * The reconciler's progress after a run: success or a permanent failure reset the retries (a permanent
 * failure waits for the next change); `requeueAfterMs` schedules the next run.
 */
export function afterReconcile(p: Progress, outcome: AttemptOutcome, now: number, requeueAfterMs: number | undefined): Progress {
  if (outcome.kind === 'aborted') return p;
  if (outcome.kind === 'retry') return { retries: p.retries + 1, notBefore: now + outcome.delayMs };
  return outcome.kind === 'success' && requeueAfterMs && requeueAfterMs > 0
    ? { retries: 0, notBefore: now + requeueAfterMs }
    : { retries: 0 };
}

/** A timer's progress after a tick: the next tick, or sooner (its backoff) after a failure. */
export function afterTick(p: Progress, outcome: AttemptOutcome, now: number, intervalMs: number): Progress {
  if (outcome.kind === 'aborted') return p;
  if (outcome.kind === 'retry') return { retries: p.retries + 1, notBefore: now + Math.min(outcome.delayMs, intervalMs) };
  return { retries: 0, notBefore: now + intervalMs };
}

/**
 * The state to persist after the change handlers ran: their progress while some are unfinished, else the
 * new diff base. `essence`/`hash` are those of the object as it will be after this round's own patch, so
 * the operator's own writes never look like a user's change.
 */
export function finishChange(
  change: ChangePlan,
  progress: Record<string, Progress>,
  projected: { essence: Record<string, unknown>; hash: string },
): { state: HandlingState; done: boolean } {
  const done = Object.values(progress).every((p) => p.done);
  if (done) return { state: { handled: { hash: projected.hash, essence: projected.essence } }, done };
  return { state: { handled: change.state?.handled, pending: { hash: projected.hash, handlers: progress } }, done };
}

/** Deletion is complete when every step finished without a permanent failure. */
export function deletionComplete(progress: Iterable<Progress>): boolean {
  for (const p of progress) if (!p.done || p.failed) return false;
  return true;
}
