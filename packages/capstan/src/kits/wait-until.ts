// Waiting for a condition with a timeout (never a fixed sleep): the one wait helper of capstan, its tests and tools.
import { sleep } from './sleep.js';

/** Options of `waitUntil`: timeout, poll interval, message, progress, abort signal and fail-fast checks. */
export interface WaitOptions {
  /** Give up after this long. Default 30 s (generous: test machines are slow and noisy). */
  timeoutMs?: number;
  /** Poll interval. Default 100 ms. */
  intervalMs?: number;
  /** Shown in the timeout error. */
  message?: string;
  /** When it returns true, stop at once: the condition can no longer become true (e.g. the operator died). */
  failFast?: () => boolean;
  /** Described in the timeout error: what was seen last. */
  progress?: () => string;
  /** Stop waiting when it aborts: the wait rejects with WaitAbortedError. */
  signal?: AbortSignal;
  /** Errors of `check` that end the wait at once (rethrown); every other error counts as "not yet". */
  fatal?: (error: unknown) => boolean;
}

/** A wait gave up: the condition did not hold within the timeout (or failFast said it never will). */
export class WaitTimeoutError extends Error {
  /** `WaitTimeoutError`: names the error in messages and stack traces. */
  override name = 'WaitTimeoutError';
}

/** The wait's signal aborted before the condition held. */
export class WaitAbortedError extends Error {
  /** `WaitAbortedError`: names the error in messages and stack traces. */
  override name = 'WaitAbortedError';
}

/** Poll `check` until it returns a truthy value (returned) or the timeout passes (throws). */
export async function waitUntil<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const what = options.message ?? 'a condition';
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) throw new WaitAbortedError(`stopped waiting for ${what}`, { cause: options.signal.reason });
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      if (options.fatal?.(error)) throw error;
      lastError = error;
    }
    const gaveUp = options.failFast?.() ?? false;
    if (gaveUp || Date.now() > deadline) {
      const when = gaveUp ? 'gave up' : `timed out after ${timeoutMs} ms`;
      const seen = options.progress ? `; last seen: ${options.progress()}` : '';
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new WaitTimeoutError(`${when} waiting for ${what}${seen}${why}`, { cause: lastError });
    }
    await sleep(options.intervalMs ?? 100, options.signal);
  }
}
