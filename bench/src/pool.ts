// Runs async work over a list with a fixed number in flight (the "fixed concurrency" of a burst).

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
