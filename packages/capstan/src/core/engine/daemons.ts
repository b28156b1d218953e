// Daemons: one long-running task per matching object, restarted with backoff, stopped when it stops matching.
import { backoffDelay } from '../../structs/backoff.js';
import { NotFoundError } from '../../structs/errors.js';
import type { KubeObject } from '../../structs/objects.js';
import { sleep } from '../../kits/sleep.js';
import { boundLogger, describeError } from '../logging.js';
import type { RegisteredDaemon } from './registry.js';
import { runHandler, type HandlerScope } from './handler-run.js';
import type { ObjectWriter } from './object-writer.js';

export interface DaemonHost {
  scope: HandlerScope;
  writer: ObjectWriter;
  /** The latest cached version of the object, or undefined once it is gone. */
  live: (uid: string) => KubeObject | undefined;
  /** After a daemon's own write: the new version, for the cache. */
  written: (obj: KubeObject) => void;
}

/** Owns the running daemons of one resource's objects. */
export class DaemonSupervisor {
  readonly #running = new Map<string, Map<string, AbortController>>();
  constructor(
    private readonly host: DaemonHost,
    private readonly daemons: readonly RegisteredDaemon[],
  ) {}

  /** Start the daemons `wanted` says yes to and that do not run yet; stop those it says no to. */
  sync(uid: string, wanted: (d: RegisteredDaemon) => boolean, signals: { term: AbortSignal; handler: AbortSignal }): void {
    if (this.daemons.length === 0) return;
    let running = this.#running.get(uid);
    for (const d of this.daemons) {
      const ac = running?.get(d.id);
      const want = wanted(d);
      if (want && !ac) {
        if (!running) this.#running.set(uid, (running = new Map()));
        running.set(d.id, this.#start(uid, d, signals));
      } else if (!want && ac) {
        ac.abort();
        running?.delete(d.id);
      }
    }
    if (running?.size === 0) this.#running.delete(uid);
  }

  /** Stop one object's daemons (deleted), or every daemon (the term ended). */
  stop(uid?: string): void {
    for (const [id, running] of this.#running) {
      if (uid !== undefined && id !== uid) continue;
      for (const ac of running.values()) ac.abort();
      this.#running.delete(id);
    }
  }

  #start(uid: string, d: RegisteredDaemon, signals: { term: AbortSignal; handler: AbortSignal }): AbortController {
    const ac = new AbortController();
    const onEnd = () => ac.abort();
    signals.term.addEventListener('abort', onEnd, { once: true });
    const { scope, writer } = this.host;
    const log = boundLogger(scope.logger, { daemon: d.id, uid });
    void (async () => {
      for (let retry = 0; !ac.signal.aborted; retry++) {
        const body = this.host.live(uid);
        if (!body) break;
        const result = await runHandler(scope, {
          fn: d.fn,
          cause: 'daemon',
          id: d.id,
          body,
          retry,
          signal: ac.signal,
          live: () => this.host.live(uid),
          backoff: d.options.backoff ?? { baseMs: 1000, capMs: 60_000 },
        });
        const current = this.host.live(uid);
        if (result.patch && current) {
          try {
            const written = await writer.mergePatch(current, result.patch, signals.handler);
            if (written) this.host.written(written);
          } catch (error) {
            if (!(error instanceof NotFoundError)) log.warn('writing the daemon patch failed', { error: describeError(error) });
          }
        }
        if (result.outcome === 'success' || result.outcome === 'aborted' || result.outcome === 'permanent') break;
        await sleep(result.delayMs ?? backoffDelay(retry), ac.signal);
      }
      signals.term.removeEventListener('abort', onEnd);
      const running = this.#running.get(uid);
      if (running?.get(d.id) === ac) running.delete(d.id);
    })();
    return ac;
  }
}
