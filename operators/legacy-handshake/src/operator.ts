// Builds the legacy-handshake operator on capstan's public API: pods reconciled to "handshaken", Deployments opted in.
import {
  createOperator,
  PermanentError,
  PRESENT,
  TemporaryError,
  type AdmissionSettings,
  type KubeClient,
  type KubeConfigSource,
  type KubeObject,
  type LeadershipGate,
  type Logger,
  type Operator,
  type OperatorHooks,
} from 'capstan';
import { reconcileDeployment, templatePatchFor } from './deployment-opt-in.js';
import { escapedPods, owningDeploymentName, podMutation } from './pod-admission.js';
import { HandshakeError, PortError, RefusedError, SuffixError } from './errors.js';
import { performHandshake, type HandshakeOptions, type HandshakeResult } from './handshake.js';
import type { Deployment, Pod, Secret } from './kube-types.js';
import { HandshakeMetrics } from './metrics.js';
import { HANDSHAKE_LABEL } from './names.js';
import { reconcilePod } from './pod-reconciler.js';
import { SuffixSource, type SuffixRef } from './suffix.js';

export const OPERATOR_NAME = 'legacy-handshake-operator';
const PODS = { version: 'v1', plural: 'pods' } as const;
const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments' } as const;
const SECRETS = { version: 'v1', plural: 'secrets' } as const;

export interface HandshakeOperatorOptions {
  namespaces?: string[];
  allNamespaces?: boolean;
  suffixSecret: SuffixRef;
  /** Global bound on handshakes at once (capstan's handler concurrency). Default 64: handshakes wait on I/O. */
  concurrency?: number;
  /** Bound on each HTTP request to a pod. Default 5000. */
  timeoutMs?: number;
  /** Longest time a read suffix is used before reading the Secret again (the watch usually beats it). Default 30 s. */
  suffixMaxAgeMs?: number;
  /** Add label and readiness gate to the pod template of Deployments labelled secret-handshake. Default true. */
  deploymentOptIn?: boolean;
  /** Retry backoff of failed handshakes. Default 1 s doubling to 60 s, with jitter. */
  backoff?: { baseMs?: number; capMs?: number; factor?: number; jitter?: number };
  kubeconfig?: KubeConfigSource;
  client?: KubeClient;
  logger?: Logger;
  leadership?: LeadershipGate;
  hooks?: OperatorHooks;
  /**
   * Serve the mutating webhook that gives pods of opted-in Deployments the label and readiness gate at creation
   * (no second rollout); the template patch then only happens for pods that escaped it.
   */
  admission?: AdmissionSettings;
}

/** A capstan Operator (so capstan/testing's runOperatorInProcess and any embedder can run it) with its handshake metrics. */
export interface HandshakeOperator extends Operator {
  readonly metrics: HandshakeMetrics;
}

export function createHandshakeOperator(options: HandshakeOperatorOptions): HandshakeOperator {
  const metrics = new HandshakeMetrics();
  const timeoutMs = options.timeoutMs ?? 5000;
  const backoff = { baseMs: 1000, capMs: 60_000, ...options.backoff };
  const operator = createOperator({
    name: OPERATOR_NAME,
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.client ? { client: options.client } : {}),
    ...(options.allNamespaces ? { allNamespaces: true } : { namespaces: options.namespaces ?? [] }),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.leadership ? { leadership: options.leadership } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.admission ? { admission: options.admission } : {}),
    concurrency: options.concurrency ?? 64,
    backoff,
  });

  // The suffix Secret usually lives outside the watched namespaces: it is watched by name (RBAC names it too).
  // Reads come from that watch's cache; a GET only while the cache has not seen it.
  let client: KubeClient | undefined = options.client;
  const ref = options.suffixSecret;
  const key = { namespace: ref.namespace, name: ref.name };
  const suffix: SuffixSource = new SuffixSource({
    ref,
    maxAgeMs: options.suffixMaxAgeMs ?? 30_000,
    read: async (signal) => {
      const cached = suffixSecret.get(key);
      if (cached) return cached;
      const current = client ?? operator.client;
      if (!current) throw new SuffixError('no API client yet');
      return current.get(SECRETS, key, { signal });
    },
  });
  // Rotation: a new version of the Secret drops the cached value.
  const suffixSecret = operator.watchObjects<Secret & KubeObject>(SECRETS, [key], {
    onChange: ({ object }) => {
      if (suffix.isStale(object?.metadata.resourceVersion)) suffix.invalidate();
    },
  });

  // Failed handshakes per pod uid, for numbering and thinning Warning Events (capstan's ctx.retry also
  // counts the quiet retries while an app starts). Entries go on success; the cap bounds pods deleted while failing.
  const failures = new Map<string, number>();
  const countFailure = (uid: string) => {
    const count = (failures.get(uid) ?? 0) + 1;
    failures.delete(uid); // re-inserted last: the cap drops the longest-quiet entry first
    if (failures.size >= 10_000) failures.delete(failures.keys().next().value ?? '');
    failures.set(uid, count);
  };

  operator.uses(SECRETS, ['get'], {
    names: [ref.name],
    namespace: ref.namespace,
    why: 'the suffix Secret read directly while its watch has not seen it (absent at start-up)',
  });

  const pods = operator.resource<KubeObject & Pod>(PODS);
  // The reconciler writes through ctx.client: declared so that `capstan generate` grants it.
  operator.uses(PODS, ['patch'], { why: 'annotates handshaken pods (secret-handshake-done, the restart count)' });
  operator.uses(PODS, ['patch'], { subresource: 'status', why: 'the readiness-gate condition secret-handshake.pyvo.io/done' });
  pods.reconcile(
    {
      async apply(ctx) {
        client ??= ctx.client;
        const pod = ctx.body as unknown as Pod;
        const key = { namespace: ctx.namespace, name: ctx.name };
        try {
          const outcome = await reconcilePod(pod, {
            suffix,
            timeoutMs,
            signal: ctx.signal,
            attempt: failures.get(ctx.uid) ?? 0,
            patchPod: (patch) => ctx.client.patch(PODS, key, patch, { type: 'merge', signal: ctx.signal }),
            patchPodStatus: (patch) => ctx.client.patchStatus(PODS, key, patch, { type: 'strategic', signal: ctx.signal }),
            events: ctx.events,
            handshake: (handshakeOptions) => measured(metrics, handshakeOptions),
            onRestart: () => metrics.restartSeen(),
          });
          failures.delete(ctx.uid);
          if (outcome.kind === 'handshaken') {
            ctx.logger.info('handshake done', { port: outcome.port, restartCount: outcome.restartCount });
          } else if (outcome.kind === 'waiting') {
            ctx.logger.debug('waiting', { reason: outcome.reason });
          }
        } catch (error) {
          if (error instanceof HandshakeError && !error.notListeningYet && error.failure !== 'aborted') countFailure(ctx.uid);
          throw outcomeOf(error);
        }
      },
    },
    { labels: { [HANDSHAKE_LABEL]: PRESENT }, backoff, timeoutMs: timeoutMs * 3 + 30_000 },
  );

  if (options.deploymentOptIn ?? true) {
    const deployments = operator.resource<KubeObject & Deployment>(DEPLOYMENTS);
    operator.uses(DEPLOYMENTS, ['patch'], { why: 'Deployment-level opt-in: adds the label and readiness gate to the pod template' });
    // Registered always (so `capstan generate` sees it); served only with admission settings.
    const webhook = options.admission !== undefined;
    // At creation, a pod of an opted-in Deployment gets the label and gate: the template never needs patching.
    pods.mutate(
      (request) => {
        const pod = request.object as unknown as Pod | undefined;
        const name = pod && owningDeploymentName(pod);
        if (!pod || !name) return undefined;
        return podMutation(pod, deployments.cached({ namespace: request.namespace, name })) as (KubeObject & Pod) | undefined;
      },
      {
        id: 'secret-handshake-pods',
        operations: ['CREATE'],
        // Never block a pod: when the webhook is down, the Deployment fallback below catches what got through.
        failurePolicy: 'Ignore',
        objectSelector: { matchExpressions: [{ key: 'pod-template-hash', operator: 'Exists' }] },
      },
    );
    operator.uses(PODS, ['list'], { why: "the opt-in fallback: finds an opted-in Deployment's pods that escaped the webhook" });
    deployments.reconcile(
      {
        async apply(ctx) {
          const key = { namespace: ctx.namespace, name: ctx.name };
          const deployment = ctx.body as unknown as Deployment;
          // With the webhook, the template is patched (a rollout) only when some pod runs without the gate.
          if (webhook && templatePatchFor(deployment)) {
            const selector = Object.entries((deployment.spec?.['selector'] as { matchLabels?: Record<string, string> })?.matchLabels ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(',');
            // No matchLabels to find its pods by: patch as without the webhook.
            if (selector) {
              const list = await ctx.client.list<KubeObject & Pod>(PODS, {
                namespace: ctx.namespace,
                labelSelector: selector,
                signal: ctx.signal,
              });
              if (escapedPods(list.items).length === 0) return;
            }
          }
          const wrote = await reconcileDeployment(deployment, {
            patchDeployment: (patch) => ctx.client.patch(DEPLOYMENTS, key, patch, { type: 'json', signal: ctx.signal }),
            events: ctx.events,
          });
          if (wrote) ctx.logger.info('pod template opted in: label and readiness gate added (the Deployment rolls out)');
        },
      },
      { labels: { [HANDSHAKE_LABEL]: PRESENT } },
    );
  }

  return Object.assign(operator, { metrics });
}

/** The handshake, counted the moment it ends (before the pod is annotated, so /metrics never lags the pod). */
async function measured(metrics: HandshakeMetrics, options: HandshakeOptions): Promise<HandshakeResult> {
  const started = performance.now();
  metrics.started();
  try {
    const result = await performHandshake(options);
    metrics.succeededAfter((performance.now() - started) / 1000);
    return result;
  } catch (error) {
    if (error instanceof HandshakeError) metrics.failedAt(error.step, error.failure);
    else metrics.failedAt('fetch-key', 'connection');
    throw error;
  }
}

/** Maps failures to capstan outcomes: a bad port annotation waits for the pod to change; the rest retries. */
function outcomeOf(error: unknown): Error {
  if (error instanceof PortError) return new PermanentError(`${error.message}; fix the annotation to retry`, { cause: error });
  if (error instanceof RefusedError) return new PermanentError(error.message, { cause: error });
  if (error instanceof HandshakeError && error.notListeningYet)
    return new TemporaryError(`${error.message} (the app is starting)`, { delayMs: 250, cause: error });
  if (error instanceof HandshakeError || error instanceof SuffixError) return new TemporaryError(error.message, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
