// One watch per kind: when each object first met a condition, and how many writes the kind saw.
import { GoneError, type KubeClient, type KubeObject, type ResourceRef, type WatchEventType } from 'capstan';

export interface TrackerOptions<T extends KubeObject> {
  client: KubeClient;
  ref: ResourceRef;
  namespace: string;
  /** Named states: whether the object (as of this event) is in that state. Default: { exists }. */
  states?: Record<string, (obj: T, type: WatchEventType) => boolean>;
  /** Objects whose writes are not counted (e.g. a sentinel the harness itself creates). */
  ignoreWrites?: (obj: T) => boolean;
  labelSelector?: string;
}

const exists = { exists: (_obj: KubeObject, type: WatchEventType) => type !== 'DELETED' };

/**
 * Lists once (for the resourceVersion), then watches from there; re-watches from the last version when
 * the server ends the stream, re-lists on 410. Times are performance.now() at receipt.
 */
export class WatchTracker<T extends KubeObject = KubeObject> {
  /** state -> name -> first time the state held. */
  readonly reachedAt = new Map<string, Map<string, number>>();
  /** ADDED/MODIFIED/DELETED events received since start(): each is one write to this kind. */
  readonly writes = { ADDED: 0, MODIFIED: 0, DELETED: 0 };
  /** Latest version of each object seen. */
  readonly objects = new Map<string, T>();
  readonly #abort = new AbortController();
  #waiters: { state: string; count: number; resolve: () => void }[] = [];
  readonly #states: Record<string, (obj: T, type: WatchEventType) => boolean>;
  #running: Promise<void> | undefined;
  #error: unknown;

  constructor(private readonly options: TrackerOptions<T>) {
    this.#states = options.states ?? exists;
    for (const state of Object.keys(this.#states)) this.reachedAt.set(state, new Map());
  }

  /** name -> first time `state` held. */
  times(state: string): Map<string, number> {
    const times = this.reachedAt.get(state);
    if (!times) throw new Error(`unknown state ${state}`);
    return times;
  }

  /** Resolves once the initial list is in and the watch is open. */
  async start(): Promise<void> {
    const resourceVersion = await this.#list();
    this.#running = this.#loop(resourceVersion).catch((error) => {
      this.#error = error;
    });
  }

  get writeCount(): number {
    return this.writes.ADDED + this.writes.MODIFIED + this.writes.DELETED;
  }

  /** Waits until `count` objects reached the state; throws after the timeout with how many did. */
  async waitForCount(state: string, count: number, timeoutMs: number): Promise<void> {
    const times = this.times(state);
    if (times.size >= count) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push({ state, count, resolve });
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `${this.options.ref.plural}: ${times.size}/${count} reached ${state} within ${timeoutMs} ms${this.#error ? ` (watch failed: ${String(this.#error)})` : ''}`,
              ),
            ),
          timeoutMs,
        );
      });
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): void {
    this.#abort.abort();
  }

  async stopped(): Promise<void> {
    this.stop();
    await this.#running;
  }

  async #list(): Promise<string | undefined> {
    const { client, ref, namespace, labelSelector } = this.options;
    const list = await client.list<T>(ref, { namespace, labelSelector, limit: 500, signal: this.#abort.signal });
    for (const obj of list.items) this.#observe(obj, 'ADDED', false);
    return list.metadata?.resourceVersion;
  }

  async #loop(initial: string | undefined): Promise<void> {
    const { client, ref, namespace, labelSelector } = this.options;
    let resourceVersion = initial;
    while (!this.#abort.signal.aborted) {
      try {
        for await (const event of client.watch<T>(ref, {
          namespace,
          labelSelector,
          resourceVersion,
          allowWatchBookmarks: true,
          signal: this.#abort.signal,
        })) {
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type === 'BOOKMARK') continue;
          this.#observe(event.object, event.type, true);
        }
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        if (error instanceof GoneError) resourceVersion = await this.#list();
        else await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  #observe(obj: T, type: WatchEventType, counts: boolean): void {
    const now = performance.now();
    const name = obj.metadata?.name ?? '';
    if (counts && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') && !this.options.ignoreWrites?.(obj)) this.writes[type]++;
    if (type === 'DELETED') this.objects.delete(name);
    else this.objects.set(name, obj);
    let changed = false;
    for (const [state, holds] of Object.entries(this.#states)) {
      const times = this.reachedAt.get(state)!;
      if (!times.has(name) && holds(obj, type)) {
        times.set(name, now);
        changed = true;
      }
    }
    if (changed && this.#waiters.length) {
      this.#waiters = this.#waiters.filter((w) => (this.reachedAt.get(w.state)!.size >= w.count ? (w.resolve(), false) : true));
    }
  }
}
