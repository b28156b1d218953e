// A counting semaphore: bounds how many tasks run at once; waiters are served first come, first served.
import { Fifo } from './fifo.js';

export class Semaphore {
  #free: number;
  readonly #waiters = new Fifo<() => void>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`semaphore capacity must be >= 1, got ${capacity}`);
    this.#free = capacity;
  }

  get inUse(): number {
    return this.capacity - this.#free;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
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
}
