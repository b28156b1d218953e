// Waiting for conditions with a timeout (never a fixed sleep): on objects, on logs, on anything.
import type { ApiClient } from '../client/surface.js';
import { sleep } from '../kits/sleep.js';
import type { KubeObject, ResourceRef } from '../structs/objects.js';

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

export interface ObjectTarget {
  resource: ResourceRef;
  namespace?: string | undefined;
  name: string;
}

/**
 * Wait until the object satisfies the predicate (it gets `undefined` while the object does not exist,
 * so `(o) => !o` waits for a deletion). Resolves with the object (or undefined when waiting for absence).
 */
export async function waitFor<T extends KubeObject = KubeObject>(
  client: ApiClient, target: ObjectTarget, predicate: (obj: T | undefined) => boolean, options: WaitOptions = {},
): Promise<T | undefined> {
  let last: T | undefined;
  await waitUntil(async () => {
    last = await client.tryGet<T>(target.resource, { namespace: target.namespace, name: target.name });
    return predicate(last);
  }, { ...options, message: options.message ?? `${target.resource.plural ?? target.resource.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}` });
  return last;
}

/** Wait until a log line matches. Resolves with the line. */
export function waitForLog(logs: string[], pattern: RegExp | string, options: WaitOptions = {}): Promise<string> {
  const test = (line: string) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
  return waitUntil(() => logs.find(test), { ...options, message: options.message ?? `a log line matching ${pattern}` });
}
