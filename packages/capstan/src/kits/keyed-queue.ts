// Per-key serial work queue: latest-state coalescing, parallel across keys, a global bound, idle keys freed.
import { Fifo } from './fifo.js';

/** What a worker learns about the run it starts. */
export interface WorkInfo {
  /** Time from the earliest enqueue this run covers (or a scheduled run becoming due) to the worker starting. */
  waitMs: number;
}

export interface KeyedQueueOptions<K> {
  /** Processes one key. Runs at most once at a time per key. */
  worker: (key: K, info: WorkInfo) => Promise<void>;
  /** Global bound on workers running at once. */
  concurrency: number;
  /** Called when a worker throws (the worker should handle its own errors; this is a last resort). */
  onError?: (key: K, error: unknown) => void;
  /** Clock for `waitMs` (tests). Default Date.now. */
  now?: () => number;
}

interface Slot {
  /** Waiting in the ready queue for a worker, or running. */
  running: boolean;
  /** Something happened while running (or waiting): run again afterwards, once. */
  dirty: boolean;
  timer?: ReturnType<typeof setTimeout>;
  timerAt?: number;
  /** When the oldest run not yet started was asked for: a burst keeps the first time, not the last. */
  queuedAt?: number | undefined;
}

/**
 * Many events for one key while it is queued or running collapse into one more run: the worker always
 * reads the latest state, so intermediate states need no processing (controller-runtime's workqueue).
 */
export class KeyedQueue<K> {
  readonly #slots = new Map<K, Slot>();
  /**
   * Keys waiting for a free worker, first come first served. A key waits as one element of this queue, not as
   * a suspended call of its own: a restart queues every object at once.
   */
  readonly #ready = new Fifo<K>();
  /** Workers running now (at most `concurrency`). */
  #busy = 0;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  /** Keys whose worker is running or waiting for a free worker (a dirty slot is always one of them). */
  #active = 0;

  readonly #now: () => number;

  constructor(private readonly options: KeyedQueueOptions<K>) {
    if (!(options.concurrency >= 1)) throw new RangeError(`queue concurrency must be >= 1, got ${options.concurrency}`);
    this.#now = options.now ?? Date.now;
  }

  /** Keys with a pending or running worker, or a scheduled run. */
  get size(): number {
    return this.#slots.size;
  }

  get running(): number {
    return this.#busy;
  }

  /** Queue a run for the key now (coalesced with any pending run). */
  add(key: K): void {
    if (this.#stopped) return;
    const slot = this.#slots.get(key);
    if (slot) {
      slot.queuedAt ??= this.#now();
      if (slot.timer) {
        clearTimeout(slot.timer);
        slot.timer = undefined;
        slot.timerAt = undefined;
        if (!slot.running) void this.#start(key, slot);
        else slot.dirty = true;
      } else slot.dirty = true;
      return;
    }
    const fresh: Slot = { running: false, dirty: false, queuedAt: this.#now() };
    this.#slots.set(key, fresh);
    void this.#start(key, fresh);
  }

  /** Queue a run after `delayMs` (an earlier scheduled or immediate run wins). */
  addAfter(key: K, delayMs: number): void {
    if (this.#stopped) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { running: false, dirty: false };
      this.#slots.set(key, slot);
    }
    if (slot.dirty) return;
    if (slot.timer && slot.timerAt !== undefined && slot.timerAt <= at) return;
    if (slot.timer) clearTimeout(slot.timer);
    const s = slot;
    s.timerAt = at;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.timerAt = undefined;
      // A scheduled run waits from when it falls due, not from when it was scheduled.
      s.queuedAt ??= this.#now();
      if (s.running) s.dirty = true;
      else void this.#start(key, s);
    }, delayMs);
    s.timer.unref?.();
  }

  /** Forget scheduled runs of a key (a running worker finishes). */
  forget(key: K): void {
    const slot = this.#slots.get(key);
    if (!slot) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.dirty = false;
    slot.queuedAt = undefined;
    if (!slot.running) this.#slots.delete(key);
  }

  /** Stop accepting work and drop scheduled runs; resolves when running workers are done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const [key, slot] of this.#slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.dirty = false;
      slot.queuedAt = undefined;
      if (!slot.running) this.#slots.delete(key);
    }
    await this.idle();
  }

  /** Resolves when no worker runs and nothing is queued now (scheduled runs do not count). */
  idle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** The key waits for a worker (from now on its slot counts as running: events coalesce into its run). */
  #start(key: K, slot: Slot): void {
    slot.running = true;
    this.#active++;
    slot.dirty = false;
    this.#ready.push(key);
    this.#pump();
  }

  /** Hand waiting keys to free workers, in order. */
  #pump(): void {
    while (this.#busy < this.options.concurrency && this.#ready.length > 0) {
      const key = this.#ready.shift()!;
      this.#busy++;
      void this.#run(key, this.#slots.get(key)!);
    }
  }

  async #run(key: K, slot: Slot): Promise<void> {
    // Events that arrived while waiting for a free worker are covered by this run.
    slot.dirty = false;
    const now = this.#now();
    const waitMs = Math.max(0, now - (slot.queuedAt ?? now));
    slot.queuedAt = undefined;
    try {
      await this.options.worker(key, { waitMs });
    } catch (error) {
      this.options.onError?.(key, error);
    }
    this.#busy--;
    if (slot.dirty && !this.#stopped) {
      // Changed while running: once more, behind the keys already waiting.
      slot.dirty = false;
      this.#ready.push(key);
    } else {
      slot.running = false;
      this.#active--;
      if (!slot.timer && this.#slots.get(key) === slot) this.#slots.delete(key);
    }
    this.#pump();
    this.#notifyIdle();
  }

  // A counter, not a scan of the slots: a scan after every job made a large backlog quadratic.
  #notifyIdle(): void {
    if (this.#active > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    waiters.forEach((w) => w());
  }
}
