// Waiting for a condition with a timeout (never a bare sleep as synchronisation).
import { setTimeout as delay } from 'node:timers/promises';

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/** Polls `check` until it returns a truthy value (returned) or the timeout passes. Errors count as "not yet". */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${options.what ?? 'a condition'}`, {
        cause: lastError,
      });
    }
    await delay(options.intervalMs ?? 100);
  }
}
