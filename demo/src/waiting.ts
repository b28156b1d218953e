// Waiting for a condition with a deadline (never a fixed sleep): poll, keep the last reason, honour Ctrl-C.
import { setTimeout as delay } from 'node:timers/promises';
import { CommandError, StoppedError, WaitTimeoutError } from './errors.js';

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Pause between polls (default 500 ms); each poll is a cheap API read. */
  intervalMs?: number;
}

/** What a probe returns when the condition does not hold yet: why not, for the timeout message. */
export class NotYet {
  constructor(readonly reason: string) {}
}

/**
 * Calls `probe` until it returns something other than a NotYet. Errors thrown by the probe count as
 * "not yet" (the API server may be busy), and the last one is the timeout's cause; a CommandError (a
 * program the demo depends on has died) ends the wait at once.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | NotYet>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    if (options.signal?.aborted) throw new StoppedError();
    try {
      const result = await probe();
      if (!(result instanceof NotYet)) return result;
      last = result.reason;
    } catch (error) {
      if (error instanceof CommandError || error instanceof StoppedError) throw error;
      last = error;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : String(last ?? 'no answer');
      throw new WaitTimeoutError(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what} (last: ${reason})`, { cause: last });
    }
    try {
      await delay(options.intervalMs ?? 500, undefined, { signal: options.signal });
    } catch (cause) {
      throw new StoppedError({ cause });
    }
  }
}
