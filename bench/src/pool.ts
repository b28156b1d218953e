// Runs async work over a list: a fixed number in flight (a burst), or at a fixed arrival rate (a realistic load).

/** Calls `fn` for every item, at most `concurrency` at once, in order of the list; rejects on the first error. */
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}

/**
 * Starts `fn` for item i at `i / ratePerSec` seconds after the start (an arrival rate, not a concurrency):
 * calls overlap freely; resolves when all have finished, rejects on the first error.
 */
export async function runAtRate<T>(items: readonly T[], ratePerSec: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  const calls: Promise<void>[] = [];
  for (const [index, item] of items.entries()) {
    const due = start + (index * 1000) / ratePerSec;
    // Node measures timers from the event loop's cached clock, which can lag performance.now() by a few
    // ms, so a timer may fire early: wait again until the due time has really passed.
    for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    }
    calls.push(fn(item, index));
  }
  await Promise.all(calls);
}
