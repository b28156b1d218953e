// A counting semaphore: bounds how many tasks run at once; waiters are served first come, first served.

export class Semaphore {
  #free: number;
  // A FIFO of waiters with a moving head: Array.shift is O(n), and a burst can queue thousands of waiters.
  #waiters: (() => void)[] = [];
  #head = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`semaphore capacity must be >= 1, got ${capacity}`);
    this.#free = capacity;
  }

  get inUse(): number {
    return this.capacity - this.#free;
  }

  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#next();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) next();
      else this.#free++;
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #next(): (() => void) | undefined {
    if (this.#head >= this.#waiters.length) return undefined;
    const next = this.#waiters[this.#head++];
    if (this.#head === this.#waiters.length) {
      this.#waiters = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
    return next;
  }
}
