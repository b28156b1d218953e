// Running one handler: its context, timeout and abort, and the classification of its outcome.
import type { KubeClient, WatchEventType } from '../../client/surface.js';
import { backoffDelay, type BackoffOptions } from '../../structs/backoff.js';
import type { DiffItem } from '../../structs/diff.js';
import { HandlerTimeoutError, PermanentError, TemporaryError } from '../../structs/errors.js';
import { frozenCopy, type DeepReadonly } from '../../structs/frozen.js';
import type { KubeObject, ObjectMeta, ResolvedResource } from '../../structs/objects.js';
import { createPatch, patchToJson } from '../../structs/patch-accumulator.js';
import { linkedAbort } from '../../kits/sleep.js';
import type { EventRecorder, HandlerOutcome } from '../hooks.js';
import { boundLogger, type Logger } from '../logging.js';
import type { Cause, Handler, HandlerContext, SpecOf, StatusOf } from '../types.js';

export interface ContextInput {
  cause: Cause;
  body: KubeObject;
  old?: unknown;
  new?: unknown;
  diff?: readonly DiffItem[];
  event?: WatchEventType;
  retry: number;
  /** When the handling first started (kept across retries); default now. */
  startedAt?: Date | undefined;
  signal: AbortSignal;
  client: KubeClient;
  events: EventRecorder;
  logger: Logger;
  resource: ResolvedResource;
  /** Daemons and timers read the latest cached object rather than a snapshot. */
  live?: () => KubeObject | undefined;
}

export function buildContext(input: ContextInput): HandlerContext<KubeObject> {
  const snapshot = frozenCopy(input.body);
  const read = (): DeepReadonly<KubeObject> => {
    const latest = input.live?.();
    return latest ? frozenCopy(latest) : snapshot;
  };
  const meta = input.body.metadata;
  return {
    cause: input.cause,
    get body() {
      return read();
    },
    get spec() {
      return read().spec as DeepReadonly<SpecOf<KubeObject>>;
    },
    get meta() {
      return read().metadata as DeepReadonly<ObjectMeta>;
    },
    get status() {
      return read().status as DeepReadonly<StatusOf<KubeObject>> | undefined;
    },
    name: meta.name ?? '',
    namespace: meta.namespace,
    uid: meta.uid ?? '',
    old: input.old,
    new: input.new,
    diff: input.diff ?? [],
    event: input.event && input.event !== 'BOOKMARK' && input.event !== 'ERROR' ? { type: input.event } : undefined,
    logger: boundLogger(input.logger, { object: meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name, handlerCause: input.cause }),
    patch: createPatch(),
    retry: input.retry,
    startedAt: input.startedAt ?? new Date(),
    signal: input.signal,
    client: input.client,
    events: input.events,
    resource: input.resource,
  };
}

export interface InvokeResult {
  outcome: HandlerOutcome;
  value?: unknown;
  error?: unknown;
  /** For 'retry': when to try again. */
  delayMs?: number;
  patch?: Record<string, unknown> | undefined;
  durationMs: number;
}

export interface InvokeOptions {
  timeoutMs?: number | undefined;
  retries?: number | undefined;
  backoff?: BackoffOptions | undefined;
}

/**
 * Run a handler under a timeout and the given signal. Never throws: returns the outcome
 * (success / retry with a delay / permanent / timeout / aborted) and the accumulated patch.
 */
export async function invoke(
  fn: Handler<KubeObject>,
  input: Omit<ContextInput, 'signal'> & { signal: AbortSignal },
  options: InvokeOptions,
): Promise<InvokeResult> {
  const started = Date.now();
  const link = linkedAbort(input.signal);
  const timer = options.timeoutMs
    ? setTimeout(() => link.controller.abort(new HandlerTimeoutError(`handler timed out after ${options.timeoutMs} ms`)), options.timeoutMs)
    : undefined;
  const ctx = buildContext({ ...input, signal: link.signal });
  try {
    const value = await Promise.race([
      Promise.resolve().then(() => fn(ctx)),
      new Promise<never>((_, reject) => {
        // A handler that ignores its signal still gets abandoned at the timeout (it keeps running detached).
        if (link.signal.aborted) reject(link.signal.reason);
        link.signal.addEventListener('abort', () => reject(link.signal.reason), { once: true });
      }),
    ]);
    return { outcome: 'success', value, patch: patchToJson(ctx.patch), durationMs: Date.now() - started };
  } catch (error) {
    const durationMs = Date.now() - started;
    if (input.signal.aborted) return { outcome: 'aborted', error, durationMs };
    const exhausted = options.retries !== undefined && input.retry >= options.retries;
    if (error instanceof PermanentError) return { outcome: 'permanent', error, durationMs, patch: patchToJson(ctx.patch) };
    const timedOut = error instanceof HandlerTimeoutError;
    if (exhausted) return { outcome: 'permanent', error, durationMs, patch: patchToJson(ctx.patch) };
    const delayMs =
      error instanceof TemporaryError && error.delayMs !== undefined ? error.delayMs : backoffDelay(input.retry, options.backoff ?? {});
    return { outcome: timedOut ? 'timeout' : 'retry', error, delayMs, durationMs, patch: patchToJson(ctx.patch) };
  } finally {
    if (timer) clearTimeout(timer);
    link.dispose();
  }
}
