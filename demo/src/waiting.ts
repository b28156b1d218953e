// The demo's waits: capstan's one wait helper, with the demo's words (NotYet reasons) and errors (Ctrl-C, dead programs).
import { WaitAbortedError, waitUntil, WaitTimeoutError } from 'capstan/testing';
import { CommandError, StoppedError } from './errors.js';

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
 * program the demo depends on has died) ends the wait at once; Ctrl-C ends it with StoppedError.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | NotYet>, options: WaitOptions): Promise<T> {
  let last = 'no answer';
  try {
    const found = await waitUntil(
      async () => {
        const result = await probe();
        if (!(result instanceof NotYet)) return { result };
        last = result.reason;
        return undefined;
      },
      {
        timeoutMs: options.timeoutMs,
        intervalMs: options.intervalMs ?? 500,
        signal: options.signal,
        message: what,
        progress: () => last,
        fatal: (error) => error instanceof CommandError || error instanceof StoppedError,
      },
    );
    return found.result;
  } catch (error) {
    if (error instanceof WaitAbortedError) throw new StoppedError({ cause: error });
    if (error instanceof WaitTimeoutError) {
      const cause = error.cause instanceof Error ? error.cause.message : last;
      throw new WaitTimeoutError(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what} (last: ${cause})`, {
        cause: error,
      });
    }
    throw error;
  }
}
