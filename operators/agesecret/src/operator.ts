// The AgeSecret operator on capstan: AgeSecrets -> owned Secrets, re-triggered by key and target Secrets.
import {
  AdmissionError,
  createOperator,
  type KubeClient,
  type AdmissionSettings,
  type BackoffOptions,
  type HandlerContext,
  type KubeConfigSource,
  type KubeObject,
  type Logger,
  type ObjectKey,
  type Operator,
  type OperatorHooks,
} from 'capstan';
import { createOperatorMetrics, type OperatorMetrics } from 'capstan/production';
import { readyKey, registerAgeSecretMetrics } from './agesecret-metrics.js';
import { KeyDependence } from './keys/key-dependence.js';
import { registerManagedKeys } from './keys/key-keeper.js';
import { keyStatusOf } from './keys/key-status.js';
import type { ManagedKeysSettings } from './keys/namespace-keys.js';
import { AGESECRETS, type AgeSecret } from './resource.js';
import { admissionRefusal, applyAgeSecret, deleteOwnedSecret, type ApplySettings } from './reconcile/apply.js';
import { compactCachedSecret, isOwnedBy, valuesDropped, type SecretObject } from './reconcile/desired-secret.js';
import { registerRollouts, type RollOut } from './rollouts/rollouts.js';
import { IdentityCache, SECRETS, type DefaultIdentity } from './reconcile/key-source.js';
import { ADOPT_ANNOTATION } from './reconcile/ownership.js';
import { statusFor, suspendedStatusFor } from './reconcile/status.js';

export const OPERATOR_NAME = 'agesecret-operator';
/**
 * The finalizer of operator releases before 0.2. The Secret is owned (garbage collection deletes it with its
 * AgeSecret) and renames are cleaned up by apply, so no finalizer is needed: this one is removed on sight.
 */
export const RETIRED_FINALIZER = 'pyvo.io/agesecret-cleanup';
const DEFAULT_KEY = '\u0000default';

export interface AgeSecretOperatorOptions {
  kubeconfig?: KubeConfigSource;
  client?: KubeClient;
  /** Namespaces to serve (globs allowed); ignored with allNamespaces. */
  namespaces?: string[];
  allNamespaces?: boolean;
  /** Operator-wide identities for AgeSecrets without ageSecretRef (namespace/name, key `secretKey`); omit to disable. */
  defaultIdentity?: DefaultIdentity;
  /** Refuse ciphertexts that are not bound to their namespace (adr/0010). */
  requireBinding?: boolean;
  concurrency?: number;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** Observers (metrics, tests). */
  hooks?: OperatorHooks;
  /** The validating webhook's server (refuses at apply time what the CRD cannot see); omit: conditions only. */
  admission?: AdmissionSettings;
  /** The metrics registry (capstan's and the operator's own series, served on /metrics); default: a fresh one. */
  metrics?: OperatorMetrics;
  /** Cluster-held namespace keys (generated, recipients published); omit, or no namespace and no label: off. */
  managedKeys?: ManagedKeysSettings;
  /** Roll opted-in Deployments, StatefulSets and DaemonSets when a Secret they use changes; off: no RBAC for them. */
  rollouts?: boolean;
}

type AgeSecretObject = AgeSecret & KubeObject;

export interface AgeSecretOperator {
  operator: Operator;
  run(options?: { signal?: AbortSignal }): Promise<void>;
}

/** Whether this spec generation was already handled with success: a Secret write now corrects drift. */
function isDriftCorrection(obj: AgeSecret): boolean {
  const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
  return obj.status?.observedGeneration === obj.metadata.generation && ready?.status === 'True';
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** Builds the operator (not started). */
export function createAgeSecretOperator(options: AgeSecretOperatorOptions = {}): AgeSecretOperator {
  const defaultIdentity = options.defaultIdentity;
  // The default identity Secret lives in the operator's namespace: watch it even when serving other namespaces.
  const namespaces =
    options.allNamespaces || !options.namespaces?.length
      ? undefined
      : [...new Set([...options.namespaces, ...(defaultIdentity ? [defaultIdentity.namespace] : [])])];
  const metrics = options.metrics ?? createOperatorMetrics({ operator: OPERATOR_NAME });
  const operator = createOperator({
    name: OPERATOR_NAME,
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.client ? { client: options.client } : {}),
    ...(namespaces ? { namespaces } : { allNamespaces: true }),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.admission ? { admission: options.admission } : {}),
    metrics,
    concurrency: options.concurrency ?? 16,
  });
  const ageSecrets = operator.resource<AgeSecretObject>(AGESECRETS);
  // The Secrets AgeSecrets control are cached without their values (a digest instead): see compactCachedSecret.
  const secrets = operator.resource<SecretObject>(SECRETS, { transform: compactCachedSecret });

  // Which AgeSecrets wait for a key Secret, and which want a given target name (to retry once it is free).
  const byKeyRef = ageSecrets.index('by-key-ref', (obj) => {
    const ref = obj.spec?.ageSecretRef;
    return [ref ? keyOf(obj.metadata.namespace, ref) : DEFAULT_KEY];
  });
  const byTarget = ageSecrets.index('by-target', (obj) => {
    const names = new Set([obj.spec?.secretName, obj.status?.secretName].filter((n): n is string => typeof n === 'string' && n !== ''));
    return [...names].map((n) => keyOf(obj.metadata.namespace, n));
  });
  const byReady = ageSecrets.index('by-ready', (obj) => [readyKey(obj)]);
  const counters = registerAgeSecretMetrics(metrics, () => byReady.keys().map((key): [string, number] => [key, byReady.get(key).length]));
  const refsOf = (list: AgeSecretObject[]): ObjectKey[] => list.map((o) => ({ namespace: o.metadata.namespace, name: o.metadata.name }));
  ageSecrets.watches(secrets, (secret) => {
    const key = keyOf(secret.metadata.namespace, secret.metadata.name ?? '');
    const waiting = [...byKeyRef.get(key), ...byTarget.get(key)];
    if (defaultIdentity && key === keyOf(defaultIdentity.namespace, defaultIdentity.name)) waiting.push(...byKeyRef.get(DEFAULT_KEY));
    return refsOf(waiting);
  });
  ageSecrets.owns(secrets);
  // Calls the engine cannot see (handlers use ctx.client): declared so that `capstan generate` grants them.
  operator.uses(SECRETS, ['create', 'update', 'delete'], {
    why: 'writes the Secrets it owns (update: changed values; delete: a renamed Secret, or one whose type changed)',
  });
  operator.uses(SECRETS, ['get'], { why: 'a key Secret missing from the cache is read once, its absence confirmed by the API server' });
  operator.uses(AGESECRETS, ['get'], {
    why: 'a Secret it wrote that has vanished is restored only once a live read shows its AgeSecret is still there',
  });

  const identities = new IdentityCache();
  const dependence = new KeyDependence();
  if (options.managedKeys && (options.managedKeys.namespaces.length > 0 || options.managedKeys.label))
    registerManagedKeys(operator, {
      secrets,
      ageSecrets,
      usersOf: (namespace, name) => byKeyRef.get(keyOf(namespace, name)),
      identities,
      dependence,
      metrics,
      settings: options.managedKeys,
    });
  const settings: ApplySettings = {
    fieldManager: OPERATOR_NAME,
    ...(defaultIdentity ? { defaultIdentity } : {}),
    ...(options.requireBinding ? { requireBinding: true } : {}),
  };
  const rollOut: RollOut | undefined = options.rollouts
    ? registerRollouts(operator, ageSecrets, (namespace, name) => refsOf(byTarget.get(keyOf(namespace, name))))
    : undefined;
  const cachedSecret = (ref: ObjectKey) => secrets.cached(ref);
  // capstan starts workers only once every cache has synced: a cache miss means the Secret is absent.
  const cacheComplete = () => true;

  /** The key Secret with its values: the cached one, unless the cache dropped them (an AgeSecret controls it). */
  async function keySecret(ctx: HandlerContext<AgeSecretObject>, ref: ObjectKey): Promise<SecretObject | undefined> {
    const cached = secrets.cached(ref);
    if (!cached || !valuesDropped(cached)) return cached;
    return ctx.client.tryGet<SecretObject>(SECRETS, ref, { signal: ctx.signal });
  }

  async function apply(ctx: HandlerContext<AgeSecretObject>): Promise<void> {
    const obj = ctx.body as unknown as AgeSecret;
    if (obj.spec?.suspend === true) {
      // No decryption and no Secret write (nor restore, nor deletion on rename) until resumed; the status says so.
      const suspended = suspendedStatusFor(obj);
      if (suspended) Object.assign(ctx.patch.status, suspended);
      return;
    }
    const outcome = await applyAgeSecret(obj, {
      client: ctx.client,
      identities,
      settings,
      signal: ctx.signal,
      cachedSecret,
      cacheComplete,
    });
    if (!outcome.ok && 'gone' in outcome) {
      // Its DELETED event is still on its way: no status, no Event, no count; the cache will drop it.
      ctx.logger.info('AgeSecret gone; its Secret is not restored', { secret: obj.status?.secretName });
      return;
    }
    const namespace = obj.metadata.namespace ?? '';
    if (outcome.ok && outcome.decrypted) counters.decrypted(namespace);
    if (!outcome.ok) counters.refused(namespace, outcome.reason);
    const previous = obj.status?.secretName;
    if (outcome.ok && previous && previous !== outcome.secretName) {
      if (await deleteOwnedSecret(ctx.client, obj, previous, ctx.signal)) {
        await ctx.events.info('SecretDeleted', `Secret ${previous} deleted: spec.secretName is now ${outcome.secretName}`);
      }
    }
    // The key Secret's current recipients, and whether a value still opens only with a retiring identity.
    const keyRef = obj.spec?.ageSecretRef ? { namespace, name: obj.spec.ageSecretRef } : defaultIdentity;
    const keys = keyRef ? await keyStatusOf(obj, await keySecret(ctx, keyRef), { identities, dependence }) : undefined;
    const update = statusFor(obj, outcome, new Date(), keys);
    if (update.patch) Object.assign(ctx.patch.status, update.patch);
    if (outcome.ok && outcome.action === 'unchanged' && rollOut) {
      // Only once the cache holds the Secret as written (its own watch event re-runs this): the hash is then final.
      const written = secrets.cached({ namespace, name: outcome.secretName });
      if (written && isOwnedBy(written, obj.metadata.uid)) await rollOut(ctx, written);
    }
    if (outcome.ok) {
      if (outcome.action !== 'unchanged') {
        ctx.logger.info('secret written', { secret: outcome.secretName, action: outcome.action });
        // Routine work (a new or changed spec) shows in the Ready condition; an Event is for the Secret
        // changing under a spec already handled: drift corrected, a deleted Secret restored, keys rotated.
        if (outcome.action === 'adopted') {
          // A hand-over is always worth noticing: who consented is in the Secret's history, this says when.
          await ctx.events.info(
            'SecretAdopted',
            `Secret ${outcome.secretName} adopted (its ${ADOPT_ANNOTATION} annotation names this AgeSecret)`,
          );
        } else if (isDriftCorrection(obj)) {
          const verb = { created: 'restored', updated: 'updated', recreated: 'recreated (its type or immutable data changed)' }[
            outcome.action
          ];
          await ctx.events.info(
            `Secret${outcome.action[0]!.toUpperCase()}${outcome.action.slice(1)}`,
            `Secret ${outcome.secretName} ${verb} from ${outcome.values} encrypted value${outcome.values === 1 ? '' : 's'}`,
          );
        }
      }
    } else if (update.readyChanged) {
      await ctx.events.warn(outcome.reason, outcome.message);
      ctx.logger.warn('cannot produce the Secret', { reason: outcome.reason, message: outcome.message });
    }
  }

  const ctxClient = (): KubeClient => {
    if (!operator.client) throw new Error('the operator is not running');
    return operator.client;
  };
  // Admission: what the CRD's rules cannot see is refused at apply time, with the condition's reason and message.
  // The conditions stay: with the webhook down (failurePolicy Fail refuses, but a cluster may set Ignore) or
  // for objects stored before it existed, the reconciler still refuses the same way.
  ageSecrets.validate(
    async (request) => {
      if (!request.object) return;
      const refusal = await admissionRefusal(request.object as unknown as AgeSecret, {
        client: ctxClient(),
        identities,
        settings,
        signal: request.signal,
        cachedSecret,
        cacheComplete,
      });
      if (refusal) throw new AdmissionError(`${refusal.reason}: ${refusal.message}`, { code: 422, reason: 'Invalid' });
    },
    { id: 'agesecrets', failurePolicy: 'Fail', timeoutSeconds: 10 },
  );

  // No cleanup and so no finalizer: the Secret is owned and garbage collection deletes it with its AgeSecret,
  // also while the operator is down (a finalizer would then block the namespace's deletion).
  ageSecrets.reconcile({ apply }, { retiredFinalizers: [RETIRED_FINALIZER] });
  return { operator, run: (runOptions = {}) => operator.run(runOptions) };
}
