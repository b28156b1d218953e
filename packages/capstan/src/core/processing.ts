// One processing round of one object: events, deletion, finalizer, change handlers, reconcile, timers.
import { backoffDelay } from '../structs/backoff.js';
import { diff } from '../structs/diff.js';
import { ConflictError, InvalidError, NotFoundError } from '../structs/errors.js';
import { essenceOf, hashOf, isSecretLike, parseState, serializeState, type HandlerProgress, type PersistedState } from '../structs/essence.js';
import { fieldChanged } from '../structs/filters.js';
import type { KubeObject } from '../structs/objects.js';
import { getPath } from '../structs/paths.js';
import { applyMergePatch, mergePatches } from '../structs/patch-accumulator.js';
import { recorderFor } from './events.js';
import { addFinalizerOps, hasFinalizer, removeFinalizerOps } from './finalizers.js';
import { safely } from './hooks.js';
import { invoke, type InvokeResult } from './invoke.js';
import { describeError } from './logging.js';
import type { RegisteredHandler } from './registry.js';
import type { ResourceRuntime } from './resource-runtime.js';
import type { Entry, Session } from './runtime-types.js';
import type { Cause, Handler } from './types.js';

/** State of one round: the merge patch to write and the earliest time to come back. */
interface Round {
  rt: ResourceRuntime;
  entry: Entry;
  session: Session;
  patch: Record<string, unknown> | undefined;
  wakeAt: number | undefined;
}

function wakeAt(round: Round, at: number): void {
  round.wakeAt = round.wakeAt === undefined ? at : Math.min(round.wakeAt, at);
}

/** Everything that a reconcile should react to: the essence plus status (our own writes are recorded after writing). */
function fingerprint(obj: KubeObject, stateAnnotation: string): string {
  return hashOf({ e: essenceOf(obj, { stateAnnotation }), s: obj.status ?? null });
}

const announced = new Set<Cause>(['create', 'update', 'delete', 'field']);

async function run(round: Round, fn: Handler<KubeObject>, cause: Cause, id: string, obj: KubeObject, extra: {
  retry: number; startedAt?: number | undefined; old?: unknown; new?: unknown; diff?: ReturnType<typeof diff>; event?: Entry['pendingEvent'];
  retries?: number | undefined; timeoutMs?: number | undefined; backoff?: RegisteredHandler['options']['backoff'];
}): Promise<InvokeResult> {
  const { rt, session } = round;
  const result = await invoke(fn, {
    cause, body: obj, retry: extra.retry, startedAt: extra.startedAt === undefined ? undefined : new Date(extra.startedAt), old: extra.old, new: extra.new, diff: extra.diff, event: extra.event,
    signal: session.handlerSignal, client: rt.services.client, events: recorderFor(rt.services.poster, obj),
    logger: rt.services.logger, resource: rt.resource,
  }, { retries: extra.retries, timeoutMs: extra.timeoutMs, backoff: extra.backoff ?? rt.services.backoff });
  safely(() => rt.services.hooks?.handlerRun?.({ resource: rt.id, handler: id, kind: cause, outcome: result.outcome, durationMs: result.durationMs, retry: extra.retry }));
  const fields = { object: round.entry.key, handler: id, cause, retry: extra.retry };
  if (result.outcome === 'success') {
    rt.logger.debug('handler succeeded', fields);
    // Change handlers only: timers, daemons, event handlers and reconciles run too often to announce each run.
    if (announced.has(cause)) void recorderFor(rt.services.poster, obj).info('HandlerSucceeded', `${id} succeeded`);
  } else if (result.outcome === 'permanent') {
    rt.logger.error('handler failed permanently', { ...fields, error: describeError(result.error) });
    void recorderFor(rt.services.poster, obj).warn('HandlerFailed', `${id}: ${describeError(result.error)}`);
  } else if (result.outcome !== 'aborted') {
    rt.logger.warn('handler failed; will retry', { ...fields, error: describeError(result.error), retryInMs: result.delayMs });
    // No delay in the message: identical failures then aggregate into one Event with a count.
    void recorderFor(rt.services.poster, obj).warn('HandlerRetrying', `${id}: ${describeError(result.error)}; will retry`);
  }
  round.patch = mergePatches(round.patch, result.patch);
  return result;
}

/** Update progress after a run; returns whether the handler is finished (success or permanent failure). */
function record(round: Round, pr: HandlerProgress, result: InvokeResult): void {
  if (result.outcome === 'success') pr.d = 1;
  else if (result.outcome === 'permanent') {
    pr.d = 1;
    pr.f = 1;
  } else if (result.outcome !== 'aborted') {
    pr.r++;
    pr.t = Date.now() + (result.delayMs ?? 1000);
    wakeAt(round, pr.t);
  }
}

export async function processEntry(rt: ResourceRuntime, entry: Entry, session: Session): Promise<void> {
  if (session.signal.aborted) return;
  const round: Round = { rt, entry, session, patch: undefined, wakeAt: undefined };
  const writesBefore = rt.writes;
  const obj = rt.current(entry);
  if (entry.pendingEvent) {
    const event = entry.pendingEvent;
    entry.pendingEvent = undefined;
    for (const h of rt.reg.handlersFor('event')) {
      if (!rt.matches(h.options, obj, 'event', session)) continue;
      await run(round, h.fn, 'event', h.id, obj, { retry: 0, event, retries: 0, timeoutMs: h.options.timeoutMs });
    }
  }
  if (entry.gone) {
    rt.stopDaemons(entry);
    await bestEffortDelete(round, obj);
    rt.entries.delete(entry.uid);
    return;
  }
  try {
    if (obj.metadata.deletionTimestamp) await processDeletion(round, obj);
    else await processLive(round, obj);
    entry.writeRetry = 0;
  } catch (error) {
    if (error instanceof NotFoundError) return; // gone meanwhile: the DELETED event follows
    if (session.handlerSignal.aborted) return;
    const conflict = error instanceof ConflictError || error instanceof InvalidError;
    const delay = conflict ? 200 : backoffDelay(entry.writeRetry++, { baseMs: 1000, capMs: 60_000 });
    rt.logger.warn(conflict ? 'object changed meanwhile; processing again' : 'writing to the object failed; retrying', {
      object: entry.key, error: describeError(error), retryInMs: delay,
    });
    wakeAt(round, Date.now() + delay);
  }
  if (round.wakeAt !== undefined) session.enqueue(rt.queuePrefix + entry.uid, Math.max(0, round.wakeAt - Date.now()));
  const done = rt.current(entry);
  safely(() => rt.services.hooks?.processed?.({
    resource: rt.id, namespace: done.metadata.namespace, name: done.metadata.name ?? '', resourceVersion: done.metadata.resourceVersion, writes: rt.writes - writesBefore,
  }));
}

async function processLive(round: Round, initial: KubeObject): Promise<void> {
  const { rt, entry, session } = round;
  let obj = initial;
  const stateKey = rt.services.stateAnnotation;
  const essence = essenceOf(obj, { stateAnnotation: stateKey });
  const hash = hashOf(essence);
  if (entry.seenHash !== hash) {
    entry.seenHash = hash;
    entry.lastChangeAt = Date.now();
  }
  rt.syncDaemons(entry, obj, session);

  if (needsFinalizer(rt, obj, session) && !hasFinalizer(obj, rt.finalizer)) {
    obj = await rt.patchFinalizers(obj, addFinalizerOps(obj, rt.finalizer), session.handlerSignal);
  }

  // Resume handlers: once per object found at start-up, i.e. once per operator start. Their progress is
  // kept in memory on purpose: the next start is a new resume, with its retry count from 0.
  if (entry.initial) {
    for (const h of rt.reg.handlersFor('resume')) {
      const pr = entry.resumed.get(h.id) ?? { r: 0 };
      entry.resumed.set(h.id, pr);
      if (pr.d || !rt.matches(h.options, obj, 'resume', session)) continue;
      if (pr.t && pr.t > Date.now()) { wakeAt(round, pr.t); continue; }
      pr.s ??= Date.now();
      const result = await run(round, h.fn, 'resume', h.id, obj, { retry: pr.r, startedAt: pr.s, retries: h.options.retries, timeoutMs: h.options.timeoutMs, backoff: h.options.backoff });
      record(round, pr, result);
      if (result.outcome === 'success' && result.value !== undefined) round.patch = mergePatches(round.patch, { status: { [h.id]: result.value } });
    }
  }

  const changes = rt.reg.tracksChanges ? await handleChanges(round, obj, essence, hash) : undefined;

  const reconciled = rt.reg.reconciler && rt.matches(rt.reg.reconciler.options, obj, 'reconcile', session)
    ? await reconcile(round, obj) : false;

  await runTimers(round, obj);

  if (changes) finishChanges(round, obj, changes);
  if (round.patch) {
    const written = await rt.write(obj, round.patch, session.handlerSignal);
    if (written) obj = written;
  }
  if (reconciled) entry.reconciledFingerprint = fingerprint(obj, stateKey);
}

/** Only objects that a blocking delete handler or the reconciler's cleanup applies to get the finalizer. */
function needsFinalizer(rt: ResourceRuntime, obj: KubeObject, session: Session): boolean {
  if (!rt.reg.needsFinalizer) return false;
  const rec = rt.reg.reconciler;
  if (rec?.reconciler.cleanup && rt.matches(rec.options, obj, 'cleanup', session)) return true;
  return rt.reg.handlersFor('delete').some((h) => !h.options.optional && rt.matches(h.options, obj, 'delete', session));
}

async function handleChanges(round: Round, obj: KubeObject, essence: Record<string, unknown>, hash: string): Promise<ChangeOutcome | undefined> {
  const { rt, entry, session } = round;
  const stateKey = rt.services.stateAnnotation;
  const raw = obj.metadata.annotations?.[stateKey];
  const state = parseState(raw);
  if (state?.h === hash) {
    if (!entry.lastEssence || entry.lastEssence.hash !== hash) entry.lastEssence = { hash, essence };
    return undefined;
  }
  const cause = state?.h ? 'update' : 'create';
  const oldEssence = state?.h && entry.lastEssence?.hash === state.h ? entry.lastEssence.essence : state?.e;
  const changes = cause === 'update' && oldEssence ? diff(oldEssence, essence) : [];
  const fieldOk = (path: string | undefined) => {
    if (!path) return true;
    if (cause === 'create') return getPath(essence, path) !== undefined || getPath(obj, path) !== undefined;
    return oldEssence ? fieldChanged(path, oldEssence, essence) : true; // unknown base: assume changed
  };
  const candidates = rt.reg.handlers.filter((h) =>
    (h.cause === cause || h.cause === 'field') && fieldOk(h.options.field) && rt.matches(h.options, obj, cause, session));
  const progress: Record<string, HandlerProgress> = state?.ph === hash ? { ...state.p } : {};
  for (const h of candidates) {
    const pr = progress[h.id] ?? { r: 0 };
    progress[h.id] = pr;
    if (pr.d) continue;
    if (pr.t && pr.t > Date.now()) { wakeAt(round, pr.t); continue; }
    const isField = h.cause === 'field';
    pr.s ??= Date.now();
    const result = await run(round, h.fn, h.cause, h.id, obj, {
      retry: pr.r, startedAt: pr.s,
      old: isField ? getPath(oldEssence, h.options.field ?? '') : oldEssence,
      new: isField ? getPath(essence, h.options.field ?? '') : essence,
      diff: changes, retries: h.options.retries, timeoutMs: h.options.timeoutMs, backoff: h.options.backoff,
    });
    record(round, pr, result);
    if (result.outcome === 'success' && result.value !== undefined) round.patch = mergePatches(round.patch, { status: { [h.id]: result.value } });
    if (result.outcome === 'aborted') return undefined; // shutting down: persist nothing, redo on the next start
  }
  return { state, raw, progress, done: candidates.every((h) => progress[h.id]?.d) };
}

interface ChangeOutcome {
  state: PersistedState | undefined;
  raw: string | undefined;
  progress: Record<string, HandlerProgress>;
  done: boolean;
}

/**
 * Persist progress, or (all handlers done) the new diff base. The base is the essence of the object as
 * it will be after this round's own patch, so the operator's own writes never look like a user's change.
 */
function finishChanges(round: Round, obj: KubeObject, changes: ChangeOutcome): void {
  const { rt, entry } = round;
  const stateKey = rt.services.stateAnnotation;
  const projected = round.patch ? applyMergePatch(obj, round.patch) : obj;
  const essence = essenceOf(projected, { stateAnnotation: stateKey });
  const hash = hashOf(essence);
  const { state, raw, progress, done } = changes;
  const next: PersistedState = done ? { v: 1, h: hash, e: essence } : { v: 1, h: state?.h, e: state?.e, ph: hash, p: progress };
  const serialized = serializeState(next, { hashOnly: isSecretLike(obj) });
  if (serialized !== raw) round.patch = mergePatches(round.patch, { metadata: { annotations: { [stateKey]: serialized } } });
  if (done) entry.lastEssence = { hash, essence };
}

async function reconcile(round: Round, obj: KubeObject): Promise<boolean> {
  const { rt, entry } = round;
  const { reconciler, options } = rt.reg.reconciler!;
  const fp = fingerprint(obj, rt.services.stateAnnotation);
  if (!entry.reconcileRequested && entry.reconciledFingerprint === fp && entry.reconcileNotBefore === undefined) return false;
  if (entry.reconcileNotBefore !== undefined && entry.reconcileNotBefore > Date.now() && !entry.reconcileRequested && entry.reconciledFingerprint === fp) {
    wakeAt(round, entry.reconcileNotBefore);
    return false;
  }
  entry.reconcileRequested = false;
  entry.reconcileNotBefore = undefined;
  const apply: Handler<KubeObject> = (ctx) => reconciler.apply(ctx);
  const result = await run(round, apply, 'reconcile', 'reconcile', obj, { retry: entry.reconcileRetry, timeoutMs: options.timeoutMs, backoff: options.backoff });
  if (result.outcome === 'aborted') return false;
  if (result.outcome === 'success' || result.outcome === 'permanent') {
    entry.reconcileRetry = 0;
    const after = (result.value as { requeueAfterMs?: number } | undefined)?.requeueAfterMs;
    if (result.outcome === 'success' && after && after > 0) {
      entry.reconcileNotBefore = Date.now() + after;
      entry.reconcileRequested = false;
      wakeAt(round, entry.reconcileNotBefore);
    }
    return true;
  }
  entry.reconcileRetry++;
  entry.reconcileNotBefore = Date.now() + (result.delayMs ?? 1000);
  wakeAt(round, entry.reconcileNotBefore);
  return true;
}

/**
 * Timers of matching objects: due ones run now, the next tick is scheduled as a delayed re-queue. A
 * timer whose filters do not match is dropped until the object changes (a change brings a new round).
 */
async function runTimers(round: Round, obj: KubeObject): Promise<void> {
  const { rt, entry, session } = round;
  for (const t of rt.reg.timers) {
    if (!rt.matches(t.options, obj, 'timer', session)) {
      entry.timerNext.delete(t.id);
      continue;
    }
    if (!entry.timerNext.has(t.id)) entry.timerNext.set(t.id, Date.now() + (t.options.initialDelayMs ?? t.intervalMs));
    let due = entry.timerNext.get(t.id)!;
    if (t.options.idleMs) due = Math.max(due, entry.lastChangeAt + t.options.idleMs);
    if (due > Date.now()) { wakeAt(round, due); continue; }
    const retry = entry.timerRetry.get(t.id) ?? 0;
    const result = await run(round, t.fn, 'timer', t.id, obj, { retry, timeoutMs: t.options.timeoutMs });
    if (result.outcome === 'aborted') return;
    const failed = result.outcome === 'retry' || result.outcome === 'timeout';
    entry.timerRetry.set(t.id, failed ? retry + 1 : 0);
    // A failing timer retries on its backoff if that comes before the next tick.
    const next = Date.now() + (failed ? Math.min(result.delayMs ?? t.intervalMs, t.intervalMs) : t.intervalMs);
    entry.timerNext.set(t.id, next);
    wakeAt(round, next);
  }
}

/**
 * Delete handlers (and the reconciler's cleanup) of an object being deleted under our finalizer. Their
 * progress is persisted in the state annotation (`dp`) after each round that changed it, so a restarted
 * operator continues the retry count, honours `retries` and the retry delay, and does not re-run handlers
 * that already succeeded or failed permanently. The finalizer leaves only when every step succeeded.
 */
async function processDeletion(round: Round, obj: KubeObject): Promise<void> {
  const { rt, entry, session } = round;
  rt.stopDaemons(entry);
  const finalizer = rt.finalizer;
  if (!hasFinalizer(obj, finalizer)) {
    await bestEffortDelete(round, obj);
    return;
  }
  const steps: { id: string; fn: Handler<KubeObject>; cause: Cause; h?: RegisteredHandler }[] = rt.reg.handlersFor('delete')
    .filter((h) => rt.matches(h.options, obj, 'delete', session))
    .map((h) => ({ id: h.id, fn: h.fn, cause: 'delete' as const, h }));
  const cleanup = rt.reg.reconciler?.reconciler.cleanup;
  if (cleanup && rt.matches(rt.reg.reconciler!.options, obj, 'cleanup', session)) steps.push({ id: 'cleanup', fn: (ctx) => cleanup(ctx), cause: 'cleanup' });
  const stateKey = rt.services.stateAnnotation;
  const raw = obj.metadata.annotations?.[stateKey];
  const state = parseState(raw);
  let allSucceeded = true;
  let aborted = false;
  for (const s of steps) {
    // Memory is never older than the annotation (we wrote it); after a restart only the annotation knows.
    const pr = entry.deleteProgress.get(s.id) ?? { r: 0, ...state?.dp?.[s.id] };
    entry.deleteProgress.set(s.id, pr);
    if (pr.d) {
      if (pr.f) allSucceeded = false;
      continue;
    }
    if (pr.t && pr.t > Date.now()) { allSucceeded = false; wakeAt(round, pr.t); continue; }
    const opts = s.h?.options ?? rt.reg.reconciler?.options ?? {};
    pr.s ??= Date.now();
    const result = await run(round, s.fn, s.cause, s.id, obj, { retry: pr.r, startedAt: pr.s, retries: s.h?.options.retries, timeoutMs: opts.timeoutMs, backoff: opts.backoff });
    record(round, pr, result);
    if (!pr.d || pr.f) allSucceeded = false;
    if (result.outcome === 'aborted') { aborted = true; break; }
  }
  entry.bestEffortDeleteDone = true;
  // On success the finalizer goes next and the object with it: no need to persist progress then.
  if (!allSucceeded && !aborted) {
    const dp = Object.fromEntries(steps.map((s) => [s.id, entry.deleteProgress.get(s.id)!]));
    const serialized = serializeState({ ...(state ?? { v: 1 }), dp }, { hashOnly: isSecretLike(obj) });
    if (serialized !== raw) round.patch = mergePatches(round.patch, { metadata: { annotations: { [stateKey]: serialized } } });
  }
  if (round.patch) {
    const written = await rt.write(obj, round.patch, session.handlerSignal);
    round.patch = undefined;
    if (written) obj = written;
  }
  if (!allSucceeded) {
    // A permanent failure keeps the finalizer (the object stays until a human looks): say so loudly.
    if (steps.some((s) => entry.deleteProgress.get(s.id)?.f)) rt.logger.error('deletion handling failed permanently; the finalizer stays', { object: entry.key, finalizer });
    return;
  }
  const ops = removeFinalizerOps(obj, finalizer);
  if (ops) await rt.patchFinalizers(obj, ops, session.handlerSignal);
}

/** Delete handlers for objects we hold no finalizer on (optional ones, or deleted before it landed): once, no retries. */
async function bestEffortDelete(round: Round, obj: KubeObject): Promise<void> {
  const { rt, entry, session } = round;
  if (entry.bestEffortDeleteDone) return;
  entry.bestEffortDeleteDone = true;
  for (const h of rt.reg.handlersFor('delete')) {
    if (!rt.matches(h.options, obj, 'delete', session)) continue;
    await run(round, h.fn, 'delete', h.id, obj, { retry: 0, retries: 0, timeoutMs: h.options.timeoutMs });
  }
  const cleanup = rt.reg.reconciler?.reconciler.cleanup;
  if (cleanup && rt.matches(rt.reg.reconciler!.options, obj, 'cleanup', session)) {
    await run(round, (ctx) => cleanup(ctx), 'cleanup', 'cleanup', obj, { retry: 0, retries: 0 });
  }
  round.patch = undefined; // the object is gone or going: nothing to write back
}
