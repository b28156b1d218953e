// Waiting for a condition with a timeout, failing fast when waiting can no longer succeed (never a sleep to synchronise).
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  message: string;
  /** When true, stop waiting: the condition can no longer become true (e.g. the process died). */
  failFast?: () => boolean;
  /** Described in the timeout error: what was seen last. */
  progress?: () => string;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

export async function waitUntil<T>(check: () => T | Promise<T>, options: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const failed = options.failFast?.() ?? false;
    if (failed || Date.now() > deadline) {
      const seen = options.progress ? `; last seen: ${options.progress()}` : '';
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new WaitTimeoutError(`${failed ? 'gave up' : `timed out after ${options.timeoutMs} ms`} waiting for ${options.message}${seen}${why}`, { cause: lastError });
    }
    await delay(options.intervalMs ?? 250);
  }
}
