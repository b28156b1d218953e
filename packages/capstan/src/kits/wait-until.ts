// Waiting for a condition with a timeout (never a fixed sleep): the one wait helper of capstan and its tests.
import { sleep } from './sleep.js';

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
}

/** A wait gave up: the condition did not hold within the timeout (or failFast said it never will). */
export class WaitTimeoutError extends Error {}

/** Poll `check` until it returns a truthy value (returned) or the timeout passes (throws). */
export async function waitUntil<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const gaveUp = options.failFast?.() ?? false;
    if (gaveUp || Date.now() > deadline) {
      const when = gaveUp ? 'gave up' : `timed out after ${options.timeoutMs ?? 30_000} ms`;
      const seen = options.progress ? `; last seen: ${options.progress()}` : '';
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new WaitTimeoutError(`${when} waiting for ${options.message ?? 'a condition'}${seen}${why}`, { cause: lastError });
    }
    await sleep(options.intervalMs ?? 100);
  }
}
