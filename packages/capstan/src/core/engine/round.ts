// One processing round of one object: plan (pure), run the due handlers in order, then persist and write once.
import { backoffDelay } from '../../structs/backoff.js';
import { ConflictError, InvalidError, NotFoundError } from '../../structs/errors.js';
import { essenceOf, hashOf, isSecretLike } from '../../structs/essence.js';
import type { KubeObject } from '../../structs/objects.js';
import { applyMergePatch, mergePatches } from '../../structs/patch-accumulator.js';
import { afterAttempt, decodeState, encodeState, starting, type HandlingState, type Progress } from '../../structs/progress.js';
import type { InvokeResult } from './invoke.js';
import { describeError } from '../logging.js';
import type { RegisteredDaemon, ResourceRegistration } from './registry.js';
import type { Cause, FilterOptions } from '../types.js';
import type { DaemonSupervisor } from './daemons.js';
import { addFinalizerOps, removeFinalizerOps } from './finalizers.js';
import { attemptOutcome, runHandler, type HandlerScope } from './handler-run.js';
import { recordProgress, type ObjectMemory } from './memory.js';
import type { ObjectWriter } from './object-writer.js';
import {
  afterReconcile,
  afterTick,
  deletionComplete,
  finishChange,
  planRound,
  reconcileFingerprint,
  type DeletingPlan,
  type LivePlan,
  type Step,
} from './plan.js';
import type { Session } from './services.js';

export interface RoundInput {
  scope: HandlerScope;
  registration: ResourceRegistration;
  writer: ObjectWriter;
  daemons: DaemonSupervisor;
  /** The controller's memory of the object: the round updates it. */
  memory: ObjectMemory;
  /** The object as cached now. */
  object: KubeObject;
  session: Session;
  finalizer: string;
  matches: (options: FilterOptions<KubeObject>, obj: KubeObject, cause: Cause) => boolean;
}

export interface RoundResult {
  /** When to process the object again (a retry delay, a timer), if at all. */
  wakeAt?: number | undefined;
  /** The newest version our own writes returned. */
  written?: KubeObject | undefined;
  /** The object is gone for good: forget it. */
  forget: boolean;
}

const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** The mutable part of a round: the object as we last wrote it, the patch to write, when to come back. */
class RoundState {
  patch: Record<string, unknown> | undefined;
  wakeAt: number | undefined;
  written: KubeObject | undefined;
  constructor(public obj: KubeObject) {}
  wake(at: number | undefined): void {
    this.wakeAt = earliest(this.wakeAt, at);
  }
  took(obj: KubeObject | undefined): void {
    if (!obj) return;
    this.obj = obj;
    this.written = obj;
  }
}

export async function runRound(input: RoundInput): Promise<RoundResult> {
  const { memory, session, scope } = input;
  const now = scope.services.now;
  const round = new RoundState(input.object);
  const plan = planRound({
    registration: input.registration,
    object: input.object,
    memory,
    now: now(),
    stateAnnotation: scope.services.stateAnnotation,
    finalizer: input.finalizer,
    matches: (options, cause) => input.matches(options, input.object, cause),
  });
  memory.pendingEvent = undefined;
  for (const step of plan.events) await run(input, round, step);
  if (plan.phase === 'gone' || plan.phase === 'leaving') {
    input.daemons.stop(memory.uid);
    if (plan.steps.length) memory.farewellDone = true;
    for (const step of plan.steps) await run(input, round, step);
    return { forget: plan.phase === 'gone', written: round.written };
  }
  try {
    if (plan.phase === 'deleting') await deleting(input, round, plan);
    else await live(input, round, plan);
    memory.writeRetries = 0;
  } catch (error) {
    if (error instanceof NotFoundError) return { forget: false, written: round.written }; // gone meanwhile: the DELETED event follows
    if (session.handlerSignal.aborted) return { forget: false, written: round.written };
    const conflict = error instanceof ConflictError || error instanceof InvalidError;
    const delay = conflict ? 200 : backoffDelay(memory.writeRetries++, { baseMs: 1000, capMs: 60_000 });
    scope.logger.warn(conflict ? 'object changed meanwhile; processing again' : 'writing to the object failed; retrying', {
      object: memory.key,
      error: describeError(error),
      retryInMs: delay,
    });
    round.wake(now() + delay);
  }
  return { forget: false, wakeAt: round.wakeAt, written: round.written };
}

/** Run one step's handler; the status value of resume and change handlers joins the round's patch. */
async function run(input: RoundInput, round: RoundState, step: Step): Promise<InvokeResult> {
  const { scope, session, registration: reg } = input;
  const signal = session.handlerSignal;
  const body = round.obj;
  let result: InvokeResult;
  switch (step.kind) {
    case 'event':
      result = await runHandler(scope, {
        fn: step.handler.fn,
        cause: 'event',
        id: step.handler.id,
        body,
        retry: 0,
        event: step.event,
        retries: 0,
        timeoutMs: step.handler.options.timeoutMs,
        signal,
      });
      break;
    case 'farewell':
      result = await runHandler(scope, {
        fn: step.fn,
        cause: step.cause,
        id: step.id,
        body,
        retry: 0,
        retries: 0,
        timeoutMs: step.timeoutMs,
        signal,
      });
      break;
    case 'resume':
    case 'change': {
      const h = step.handler;
      result = await runHandler(scope, {
        fn: h.fn,
        cause: h.cause,
        id: h.id,
        body,
        retry: step.progress.retries,
        startedAt: step.progress.startedAt,
        ...(step.kind === 'change' ? { old: step.old, new: step.new, diff: step.diff } : {}),
        retries: h.options.retries,
        timeoutMs: h.options.timeoutMs,
        backoff: h.options.backoff,
        signal,
      });
      if (result.outcome === 'success' && result.value !== undefined)
        round.patch = mergePatches(round.patch, { status: { [h.id]: result.value } });
      break;
    }
    case 'reconcile': {
      const { reconciler, options } = reg.reconciler!;
      result = await runHandler(scope, {
        fn: (ctx) => reconciler.apply(ctx),
        cause: 'reconcile',
        id: 'reconcile',
        body,
        retry: step.progress.retries,
        timeoutMs: options.timeoutMs,
        backoff: options.backoff,
        signal,
      });
      break;
    }
    case 'timer':
      result = await runHandler(scope, {
        fn: step.timer.fn,
        cause: 'timer',
        id: step.timer.id,
        body,
        retry: step.progress.retries,
        timeoutMs: step.timer.options.timeoutMs,
        signal,
      });
      break;
    case 'deletion':
      result = await runHandler(scope, {
        fn: step.fn,
        cause: step.cause,
        id: step.id,
        body,
        retry: step.progress.retries,
        startedAt: step.progress.startedAt,
        retries: step.options.retries,
        timeoutMs: step.options.timeoutMs,
        backoff: step.options.backoff,
        signal,
      });
      break;
  }
  round.patch = mergePatches(round.patch, result.patch);
  return result;
}

function secretSafeState(obj: KubeObject, state: HandlingState, raw: string | undefined): string | undefined {
  const options = { hashOnly: isSecretLike(obj) };
  const encoded = encodeState(state, options);
  // Compare with the annotation re-encoded: an equal state written in another key order is no change.
  const current = raw === undefined ? undefined : decodeState(raw);
  return current && encodeState(current, options) === encoded ? undefined : encoded;
}

async function live(input: RoundInput, round: RoundState, plan: LivePlan): Promise<void> {
  const { memory, session, scope, writer } = input;
  const now = scope.services.now;
  const stateKey = scope.services.stateAnnotation;
  if (input.registration.tracksIdle && memory.seenHash !== plan.hash) {
    memory.seenHash = plan.hash;
    memory.lastChangeAt = now();
  }
  const obj = round.obj;
  input.daemons.sync(memory.uid, (d: RegisteredDaemon) => input.matches(d.options, obj, 'daemon'), {
    term: session.signal,
    handler: session.handlerSignal,
  });
  for (const id of plan.timerDrops) memory.timers?.delete(id);
  for (const { id, at } of plan.timerStarts) recordProgress(memory, 'timers', id, { retries: 0, notBefore: at });
  round.wake(plan.wakeAt);

  if (plan.finalizer.add)
    round.took(await writer.jsonPatch(round.obj, addFinalizerOps(round.obj, plan.finalizer.add), session.handlerSignal));
  if (plan.finalizer.remove) {
    const ops = removeFinalizerOps(round.obj, plan.finalizer.remove);
    if (ops) round.took(await writer.jsonPatch(round.obj, ops, session.handlerSignal));
    scope.logger.info('removed finalizers no handler needs any more', { object: memory.key, finalizers: plan.finalizer.remove });
  }

  const changeProgress: Record<string, Progress> = { ...plan.change?.handlers };
  let changeAborted = false;
  let reconciled = false;
  for (const step of plan.steps) {
    if (step.kind === 'resume') {
      const before = starting(step.progress, now());
      const result = await run(input, round, { ...step, progress: before });
      const after = afterAttempt(before, attemptOutcome(result), now());
      recordProgress(memory, 'resume', step.handler.id, after);
      round.wake(after.done ? undefined : after.notBefore);
    } else if (step.kind === 'change') {
      if (changeAborted) continue;
      const before = starting(step.progress, now());
      const result = await run(input, round, { ...step, progress: before });
      // Shutting down: persist nothing of this change, it is redone on the next start.
      if (result.outcome === 'aborted') changeAborted = true;
      const after = afterAttempt(before, attemptOutcome(result), now());
      changeProgress[step.handler.id] = after;
      round.wake(after.done ? undefined : after.notBefore);
    } else if (step.kind === 'reconcile') {
      memory.reconcileRequested = false;
      const result = await run(input, round, step);
      const requeue = (result.value as { requeueAfterMs?: number } | undefined)?.requeueAfterMs;
      memory.reconcile = afterReconcile(step.progress, attemptOutcome(result), now(), requeue);
      round.wake(memory.reconcile.notBefore);
      reconciled = result.outcome !== 'aborted';
    } else if (step.kind === 'timer') {
      const result = await run(input, round, step);
      if (result.outcome === 'aborted') break;
      const after = afterTick(step.progress, attemptOutcome(result), now(), step.timer.intervalMs);
      recordProgress(memory, 'timers', step.timer.id, after);
      round.wake(after.notBefore);
    }
  }

  if (plan.change && !changeAborted) {
    const projected = round.patch ? applyMergePatch(round.obj, round.patch) : round.obj;
    const essence = essenceOf(projected, { stateAnnotation: stateKey });
    const { state, done } = finishChange(plan.change, changeProgress, { essence, hash: hashOf(essence) });
    const encoded = secretSafeState(round.obj, state, round.obj.metadata.annotations?.[stateKey]);
    if (encoded !== undefined) round.patch = mergePatches(round.patch, { metadata: { annotations: { [stateKey]: encoded } } });
    if (done) memory.handled = { hash: state.handled!.hash, essence };
  } else if (plan.unchanged && memory.handled?.hash !== plan.hash) {
    memory.handled = { hash: plan.hash, essence: plan.essence };
  }
  // What the handlers acted on, plus our own patch: not the server's answer to it, which carries any newer spec
  // written meanwhile (a status patch returns the whole object) that no handler has seen yet.
  // Taken before the write (which replaces round.obj), and only when a reconciler ran: rounds of other handlers skip it.
  const fingerprint = reconciled
    ? reconcileFingerprint(round.patch ? applyMergePatch(round.obj, round.patch) : round.obj, stateKey)
    : undefined;
  if (round.patch) round.took(await writer.mergePatch(round.obj, round.patch, session.handlerSignal));
  round.patch = undefined;
  if (fingerprint !== undefined) memory.reconciledFingerprint = fingerprint;
}

/**
 * Delete handlers (and the reconciler's cleanup) of an object being deleted under our finalizer. Their
 * progress is persisted in the state annotation after each round that changed it, so a restarted operator
 * continues the retry count, honours `retries` and the retry delay, and does not re-run handlers that
 * already succeeded or failed permanently. Our finalizers leave only when every step succeeded.
 */
async function deleting(input: RoundInput, round: RoundState, plan: DeletingPlan): Promise<void> {
  const { memory, session, scope, writer } = input;
  const now = scope.services.now;
  input.daemons.stop(memory.uid);
  // Delete handlers run here, under the finalizer: not again as farewell once the object is gone.
  memory.farewellDone = true;
  round.wake(plan.wakeAt);
  const progress = { ...plan.progress };
  let aborted = false;
  for (const step of plan.steps) {
    if (step.kind === 'farewell') {
      await run(input, round, step);
      continue;
    }
    if (step.kind !== 'deletion') continue;
    const before = starting(step.progress, now());
    const result = await run(input, round, { ...step, progress: before });
    const after = afterAttempt(before, attemptOutcome(result), now());
    progress[step.id] = after;
    recordProgress(memory, 'deletion', step.id, after);
    round.wake(after.done ? undefined : after.notBefore);
    if (result.outcome === 'aborted') {
      aborted = true;
      break;
    }
  }
  const complete = deletionComplete(Object.values(progress));
  const stateKey = scope.services.stateAnnotation;
  // Complete: the finalizer goes next and the object with it, so there is no progress to persist.
  if (!complete && !aborted) {
    const encoded = secretSafeState(round.obj, { ...plan.state, deletion: progress }, round.obj.metadata.annotations?.[stateKey]);
    if (encoded !== undefined) round.patch = mergePatches(round.patch, { metadata: { annotations: { [stateKey]: encoded } } });
  }
  if (round.patch) round.took(await writer.mergePatch(round.obj, round.patch, session.handlerSignal));
  round.patch = undefined;
  if (!complete) {
    // A permanent failure keeps the finalizer (the object stays until a human looks): say so loudly.
    if (Object.values(progress).some((p) => p.failed))
      scope.logger.error('deletion handling failed permanently; the finalizer stays', { object: memory.key, finalizers: plan.finalizers });
    return;
  }
  const ops = removeFinalizerOps(round.obj, plan.finalizers);
  if (ops) round.took(await writer.jsonPatch(round.obj, ops, session.handlerSignal));
}
