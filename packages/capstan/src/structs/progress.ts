// Handler progress (one type for every handler kind) and the codec of the compact state annotation.

/** Where one handler stands for the change, deletion, resume, reconcile or timer tick it handles. */
export interface Progress {
  /** Failed attempts so far (the next attempt's `ctx.retry`). */
  retries: number;
  /** Finished: succeeded, or failed permanently (then `failed` is set too). */
  done?: boolean;
  failed?: boolean;
  /** Epoch ms before which the handler must not run again (retry delay, next timer tick, requeueAfter). */
  notBefore?: number;
  /** Epoch ms of the first attempt: `ctx.startedAt` stays the same across retries and restarts. */
  startedAt?: number;
}

/** How one attempt ended, as far as progress is concerned. */
export type AttemptOutcome = { kind: 'success' } | { kind: 'permanent' } | { kind: 'retry'; delayMs: number } | { kind: 'aborted' };

export const fresh = (): Progress => ({ retries: 0 });

/** Whether the handler may run now (not finished, its delay passed). */
export function isDue(p: Progress, now: number): boolean {
  return !p.done && (p.notBefore === undefined || p.notBefore <= now);
}

/** The progress before an attempt at `now`: the first attempt's time is kept. */
export function starting(p: Progress, now: number): Progress {
  return p.startedAt === undefined ? { ...p, startedAt: now } : p;
}

/** The progress after an attempt. An aborted attempt (shutdown) changes nothing: it is redone later. */
export function afterAttempt(p: Progress, outcome: AttemptOutcome, now: number): Progress {
  switch (outcome.kind) {
    case 'success': {
      const { notBefore: _n, ...rest } = p;
      return { ...rest, done: true };
    }
    case 'permanent': {
      const { notBefore: _n, ...rest } = p;
      return { ...rest, done: true, failed: true };
    }
    case 'retry':
      return { ...p, retries: p.retries + 1, notBefore: now + outcome.delayMs };
    case 'aborted':
      return p;
  }
}

/**
 * What capstan keeps in its one annotation per object, in readable form. The wire form stays compact (see
 * encodeState): it is written on every handled change of every object.
 */
export interface HandlingState {
  /** The essence last handled to completion: its hash, and the essence when small and not secret (diff base). */
  handled?: { hash: string; essence?: Record<string, unknown> | undefined } | undefined;
  /** Progress of the change being handled, for the essence (by hash) it belongs to. */
  pending?: { hash: string; handlers: Record<string, Progress> } | undefined;
  /** Progress of delete handlers and cleanup while the object is deleted under our finalizer. */
  deletion?: Record<string, Progress> | undefined;
}

/** The compact wire form (version 1, unchanged since capstan's first release: running operators upgrade in place). */
interface WireProgress {
  r: number;
  d?: 1;
  f?: 1;
  t?: number;
  s?: number;
}
interface WireState {
  v: 1;
  h?: string;
  e?: Record<string, unknown>;
  ph?: string;
  p?: Record<string, WireProgress>;
  dp?: Record<string, WireProgress>;
}

function progressFromWire(w: WireProgress): Progress {
  const p: Progress = { retries: typeof w.r === 'number' ? w.r : 0 };
  if (w.d) p.done = true;
  if (w.f) p.failed = true;
  if (typeof w.t === 'number') p.notBefore = w.t;
  if (typeof w.s === 'number') p.startedAt = w.s;
  return p;
}

function progressToWire(p: Progress): WireProgress {
  const w: WireProgress = { r: p.retries };
  if (p.done) w.d = 1;
  if (p.failed) w.f = 1;
  if (p.notBefore !== undefined) w.t = p.notBefore;
  if (p.startedAt !== undefined) w.s = p.startedAt;
  return w;
}

const mapValues = <A, B>(o: Record<string, A>, fn: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fn(v)]));

/** Read the annotation; undefined when absent or unreadable (someone edited it: handle the object as new, never crash). */
export function decodeState(raw: string | undefined): HandlingState | undefined {
  if (!raw) return undefined;
  let w: WireState;
  try {
    w = JSON.parse(raw) as WireState;
  } catch {
    return undefined;
  }
  if (!w || typeof w !== 'object' || w.v !== 1) return undefined;
  const state: HandlingState = {};
  if (typeof w.h === 'string') state.handled = { hash: w.h, ...(w.e && typeof w.e === 'object' ? { essence: w.e } : {}) };
  if (typeof w.ph === 'string') state.pending = { hash: w.ph, handlers: mapValues(w.p ?? {}, progressFromWire) };
  if (w.dp && typeof w.dp === 'object') state.deletion = mapValues(w.dp, progressFromWire);
  return state;
}

export interface EncodeStateOptions {
  /** Largest serialised essence kept as diff base (bytes); larger ones keep only the hash. Default 32 KiB. */
  maxEssenceBytes?: number;
  /** Never store the essence (Secrets: it would hold their data). */
  hashOnly?: boolean;
}

/**
 * Write the annotation. The essence is dropped when too big (kopf #1087: a full diff base overflowed the
 * 256 KiB annotation limit) or secret, so the result stays small whatever the object's size.
 */
export function encodeState(state: HandlingState, options: EncodeStateOptions = {}): string {
  const w: Omit<WireState, 'e'> = { v: 1 };
  if (state.handled) w.h = state.handled.hash;
  if (state.pending) {
    w.ph = state.pending.hash;
    w.p = mapValues(state.pending.handlers, progressToWire);
  }
  if (state.deletion) w.dp = mapValues(state.deletion, progressToWire);
  const essence = state.handled?.essence;
  if (essence && !options.hashOnly) {
    // The essence goes right after the hash, where version 1 always had it.
    const withEssence = JSON.stringify({ v: 1, ...(w.h ? { h: w.h } : {}), e: essence, ...omit(w, ['v', 'h']) });
    if (Buffer.byteLength(withEssence) <= (options.maxEssenceBytes ?? 32 * 1024)) return withEssence;
  }
  return JSON.stringify(w);
}

function omit<T extends object>(o: T, keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k))) as Partial<T>;
}
