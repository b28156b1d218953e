// Running one handler for the engine: its context, the hook, the log line and the Event of its outcome.
import type { BackoffOptions } from '../../structs/backoff.js';
import type { DiffItem } from '../../structs/diff.js';
import type { KubeObject, ResolvedResource } from '../../structs/objects.js';
import type { AttemptOutcome } from '../../structs/progress.js';
import { recorderFor } from './events.js';
import { safely } from '../hooks.js';
import { invoke, type InvokeResult } from './invoke.js';
import { describeError, type Logger } from '../logging.js';
import type { Cause, Handler } from '../types.js';
import type { RawEventType } from './memory.js';
import type { EngineServices } from './services.js';

export interface HandlerRun {
  fn: Handler<KubeObject>;
  cause: Cause;
  id: string;
  body: KubeObject;
  retry: number;
  startedAt?: number | undefined;
  old?: unknown;
  new?: unknown;
  diff?: readonly DiffItem[];
  event?: RawEventType | undefined;
  retries?: number | undefined;
  timeoutMs?: number | undefined;
  backoff?: BackoffOptions | undefined;
  signal: AbortSignal;
  /** Daemons read the latest cached object. */
  live?: () => KubeObject | undefined;
}

export interface HandlerScope {
  services: EngineServices;
  resource: ResolvedResource;
  /** The resource's id in hooks. */
  resourceId: string;
  logger: Logger;
}

/** Change and delete handlers are announced with an Event; timers, daemons, event handlers and reconciles run too often. */
const announced = new Set<Cause>(['create', 'update', 'delete', 'field']);

export async function runHandler(scope: HandlerScope, run: HandlerRun): Promise<InvokeResult> {
  const { services } = scope;
  const events = recorderFor(services.poster, run.body);
  const result = await invoke(
    run.fn,
    {
      cause: run.cause,
      body: run.body,
      retry: run.retry,
      startedAt: run.startedAt === undefined ? undefined : new Date(run.startedAt),
      old: run.old,
      new: run.new,
      diff: run.diff,
      event: run.event,
      live: run.live,
      signal: run.signal,
      client: services.client,
      events,
      logger: services.logger,
      resource: scope.resource,
    },
    { retries: run.retries, timeoutMs: run.timeoutMs, backoff: run.backoff ?? services.backoff },
  );
  safely(() =>
    services.hooks?.handlerRun?.({
      resource: scope.resourceId,
      handler: run.id,
      kind: run.cause,
      outcome: result.outcome,
      durationMs: result.durationMs,
      retry: run.retry,
    }),
  );
  const meta = run.body.metadata;
  const fields = {
    object: meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name,
    handler: run.id,
    cause: run.cause,
    retry: run.retry,
  };
  if (result.outcome === 'success') {
    scope.logger.debug('handler succeeded', fields);
    if (announced.has(run.cause)) void events.info('HandlerSucceeded', `${run.id} succeeded`);
  } else if (result.outcome === 'permanent') {
    scope.logger.error('handler failed permanently', { ...fields, error: describeError(result.error) });
    void events.warn('HandlerFailed', `${run.id}: ${describeError(result.error)}`);
  } else if (result.outcome !== 'aborted') {
    scope.logger.warn('handler failed; will retry', { ...fields, error: describeError(result.error), retryInMs: result.delayMs });
    // No delay in the message: identical failures then aggregate into one Event with a count.
    void events.warn('HandlerRetrying', `${run.id}: ${describeError(result.error)}; will retry`);
  }
  return result;
}

/** The outcome as progress sees it (a timeout is a retry). */
export function attemptOutcome(result: InvokeResult): AttemptOutcome {
  switch (result.outcome) {
    case 'success':
      return { kind: 'success' };
    case 'permanent':
      return { kind: 'permanent' };
    case 'aborted':
      return { kind: 'aborted' };
    default:
      return { kind: 'retry', delayMs: result.delayMs ?? 1000 };
  }
}
