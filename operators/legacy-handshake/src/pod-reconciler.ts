// Brings one labelled pod to "handshaken at its current restart count" (and Ready through the gate); framework-free.
import { HandshakeError, PortError, RefusedError, SuffixError } from './errors.js';
import { performHandshake, type HandshakeOptions, type HandshakeResult } from './handshake.js';
import { DONE_ANNOTATION, RESTART_COUNT_ANNOTATION } from './names.js';
import { planPod, recordedRestartCount } from './pod-plan.js';
import { resolvePort } from './port.js';
import { gateConditionPatch } from './readiness.js';
import type { Pod } from './kube-types.js';

export interface EventSink {
  info(reason: string, message: string): unknown;
  warn(reason: string, message: string): unknown;
}

export interface PodReconcileDeps {
  suffix: { get(signal?: AbortSignal): Promise<string>; invalidate(): void };
  timeoutMs: number;
  maxBodyBytes?: number;
  signal?: AbortSignal;
  /**
   * How many handshakes of this pod failed before this pass (0-based; quiet "not listening yet" retries
   * excluded): numbers the failures in Events and decides which get one.
   */
  attempt?: number;
  /** JSON merge patch of the pod (metadata only). */
  patchPod(patch: Record<string, unknown>): Promise<unknown>;
  /** Strategic merge patch of pods/status. */
  patchPodStatus(patch: Record<string, unknown>): Promise<unknown>;
  events: EventSink;
  handshake?: (options: HandshakeOptions) => Promise<HandshakeResult>;
  /** Told when a container restart made a new handshake necessary (metrics). */
  onRestart?: () => void;
  now?: () => Date;
}

export type PodOutcome =
  | { kind: 'waiting'; reason: string }
  | { kind: 'handshaken'; port: number; restartCount: number }
  | { kind: 'marked-ready' }
  | { kind: 'done' };

/**
 * One pass over the pod's latest state. Throws (HandshakeError, PortError, SuffixError, API errors) when the
 * caller should retry with backoff; a Warning Event saying why has been posted by then.
 */
export async function reconcilePod(pod: Pod, deps: PodReconcileDeps): Promise<PodOutcome> {
  const plan = planPod(pod);
  switch (plan.kind) {
    case 'wait':
      return { kind: 'waiting', reason: plan.reason };
    case 'done':
      return { kind: 'done' };
    case 'mark-ready':
      await deps.patchPodStatus(
        gateConditionPatch({
          ready: true,
          reason: 'HandshakeDone',
          message: `handshake done at restart count ${plan.restartCount}`,
          now: deps.now?.(),
        }),
      );
      return { kind: 'marked-ready' };
    case 'refuse':
      await post(deps.events, 'warn', 'Refused', plan.reason);
      throw new RefusedError(plan.reason);
    case 'handshake':
      break;
  }

  if (plan.clearDone) {
    // A restarted process is uninitialised again: say so on the pod before anything can fail.
    await deps.patchPod({ metadata: { annotations: { [DONE_ANNOTATION]: null } } });
    const recorded = recordedRestartCount(pod);
    if (plan.restartCount > recorded) {
      deps.onRestart?.();
      await post(
        deps.events,
        'info',
        'Restarted',
        `container restart count ${plan.restartCount} (was ${recorded} at the last handshake): handshaking again`,
      );
    } else {
      await post(deps.events, 'info', 'Redo', `${DONE_ANNOTATION} is not "true": handshaking again`);
    }
  }
  if (plan.markUnready) {
    await deps.patchPodStatus(
      gateConditionPatch({
        ready: false,
        reason: 'HandshakePending',
        message: 'the process restarted and has not been handshaken yet',
        now: deps.now?.(),
      }),
    );
  }

  const attempt = deps.attempt === undefined ? '' : ` (failure ${deps.attempt + 1})`;
  let port: number;
  try {
    port = resolvePort(pod).port;
  } catch (error) {
    if (error instanceof PortError) await post(deps.events, 'warn', 'InvalidPort', error.message);
    throw error;
  }

  let suffix: string;
  try {
    suffix = await deps.suffix.get(deps.signal);
  } catch (error) {
    if (error instanceof SuffixError) await post(deps.events, 'warn', 'SuffixUnavailable', `${error.message}${attempt}`);
    throw error;
  }

  const handshake = deps.handshake ?? performHandshake;
  try {
    await handshake({ host: plan.podIP, port, suffix, timeoutMs: deps.timeoutMs, maxBodyBytes: deps.maxBodyBytes, signal: deps.signal });
  } catch (error) {
    if (error instanceof HandshakeError && isNotListeningYet(error, plan.startedAt, deps.now?.() ?? new Date())) {
      // Right after a (re)start the app races its own listen(): retry soon, without a Warning.
      error.notListeningYet = true;
      throw error;
    }
    if (error instanceof HandshakeError) {
      // A refused secret may mean operations rotated the suffix: read it afresh next time.
      if (error.step === 'send-secret' && error.status !== undefined && error.status >= 400 && error.status < 500) deps.suffix.invalidate();
      if (error.failure !== 'aborted' && worthReporting(deps.attempt)) {
        await post(
          deps.events,
          'warn',
          'HandshakeFailed',
          `handshake with ${plan.podIP}:${port} failed at ${error.step}: ${error.message}${attempt}; will retry`,
        );
      }
    }
    throw error;
  }

  await deps.patchPod({ metadata: { annotations: { [DONE_ANNOTATION]: 'true', [RESTART_COUNT_ANNOTATION]: String(plan.restartCount) } } });
  if (plan.gated) {
    await deps.patchPodStatus(
      gateConditionPatch({
        ready: true,
        reason: 'HandshakeDone',
        message: `handshake done at restart count ${plan.restartCount}`,
        now: deps.now?.(),
      }),
    );
  }
  // Not awaited: the worker moves on to the next pod; Events are best effort anyway.
  void post(
    deps.events,
    'info',
    'Handshaken',
    `legacy app at ${plan.podIP}:${port} accepted the secret (restart count ${plan.restartCount})`,
  );
  return { kind: 'handshaken', port, restartCount: plan.restartCount };
}

/** How long after a container start a refused connection means "not listening yet" rather than a failure. */
export const STARTUP_GRACE_MS = 10_000;

function isNotListeningYet(error: HandshakeError, startedAt: number | undefined, now: Date): boolean {
  return (
    error.failure === 'connection' &&
    error.code === 'ECONNREFUSED' &&
    error.step === 'fetch-key' &&
    startedAt !== undefined &&
    now.getTime() - startedAt < STARTUP_GRACE_MS
  );
}

/**
 * Failures 1, 2, 4, 8... get a Warning Event (each names its number): a pod failing for an hour reports
 * a dozen times, not once per retry, while the first failures are always visible. Logs get every one.
 */
export function worthReporting(attempt: number | undefined): boolean {
  if (attempt === undefined) return true;
  const n = attempt + 1;
  return (n & (n - 1)) === 0;
}

/** Events are best effort: failing to report must not fail (and so repeat) the handshake. */
async function post(events: EventSink, level: 'info' | 'warn', reason: string, message: string): Promise<void> {
  try {
    await events[level](reason, message);
  } catch {
    // The reconcile outcome is what matters; the framework logs the failed Event post.
  }
}
