// Cluster-held namespace keys, the effects: a reconciler per opted-in Namespace creates the key Secret when absent,
// renews and retires its identities, and publishes its recipients (public keys only) in a ConfigMap.
import { ConflictError, TemporaryError, type HandlerContext, type KubeObject, type Operator, type ResourceHandle } from 'capstan';
import type { OperatorMetrics } from 'capstan/production';
import { generateKeyPair } from '../crypto/identities.js';
import { AgeSecretError } from '../errors.js';
import type { AgeSecret } from '../resource.js';
import { valuesDropped } from '../reconcile/desired-secret.js';
import { IdentityCache, SECRETS } from '../reconcile/key-source.js';
import type { KeyDependence } from './key-dependence.js';
import { registerKeyMetrics } from './key-metrics.js';
import { DEFAULT_RENEWAL_MS, DEFAULT_RETIRE_GRACE_MS, formatRecords, KEY_RECORDS_ANNOTATION } from './key-records.js';
import { maintainKeys, type KeyState } from './key-renewal.js';
import {
  configMapAction,
  keySecretBody,
  managesKeys,
  MANAGED_BY,
  RECIPIENTS_CONFIGMAP,
  recipientsData,
  type ManagedKeysSettings,
} from './namespace-keys.js';

const NAMESPACES = { version: 'v1', plural: 'namespaces' } as const;
export const CONFIGMAPS = { version: 'v1', plural: 'configmaps' } as const;
type DataObject = KubeObject & { data?: Record<string, string> };

/** What the keeper needs from the operator: its caches, the parsed identities, and the metrics registry. */
export interface KeyKeeperDeps {
  secrets: ResourceHandle<DataObject>;
  ageSecrets: ResourceHandle<AgeSecret & KubeObject>;
  /** The cached AgeSecrets of a namespace that name a key Secret (spec.ageSecretRef). */
  usersOf(namespace: string, secretName: string): AgeSecret[];
  identities: IdentityCache;
  dependence: KeyDependence;
  metrics: OperatorMetrics;
  settings: ManagedKeysSettings;
}

const isOurs = (obj: KubeObject) => obj.metadata.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY['app.kubernetes.io/managed-by'];

/** Registers the Namespace reconciler (only when some namespace may opt in: its RBAC is granted only then). */
export function registerManagedKeys(operator: Operator, deps: KeyKeeperDeps): void {
  const { settings, secrets, identities } = deps;
  const renewalMs = settings.renewalMs ?? DEFAULT_RENEWAL_MS;
  const retireGraceMs = settings.retireGraceMs ?? DEFAULT_RETIRE_GRACE_MS;
  const keyMetrics = registerKeyMetrics(deps.metrics);
  const namespaces = operator.resource<KubeObject>(NAMESPACES);
  // Only the one ConfigMap name is watched: its drift is restored, and nothing else in ConfigMaps is read.
  const configMaps = operator.resource<DataObject>(CONFIGMAPS, { fieldSelector: `metadata.name=${RECIPIENTS_CONFIGMAP}` });
  const toNamespace = (obj: KubeObject) => [{ name: obj.metadata.namespace ?? '' }];
  namespaces.watches(secrets, (secret) => (secret.metadata.name === settings.secretName ? toNamespace(secret) : []));
  namespaces.watches(configMaps, toNamespace);
  // An AgeSecret re-encrypted (or deleted) may free a retiring identity: the namespace is judged again.
  namespaces.watches(deps.ageSecrets, toNamespace);
  operator.uses(CONFIGMAPS, ['create', 'update'], { why: 'publishes the recipients (public keys) of cluster-held namespace keys' });

  async function apply(ctx: HandlerContext<KubeObject>): Promise<{ requeueAfterMs?: number } | void> {
    const ns = ctx.body as unknown as KubeObject;
    const namespace = ns.metadata.name ?? '';
    if (!managesKeys(ns, settings)) {
      keyMetrics.forget(namespace);
      deps.dependence.forget(`${namespace}/${settings.secretName}`);
      return;
    }
    const keyRef = { namespace, name: settings.secretName };
    const cached = secrets.cached(keyRef);
    // Cached without its values when an AgeSecret controls it (compactCachedSecret): read it then.
    const secret = cached && valuesDropped(cached) ? await ctx.client.tryGet<DataObject>(SECRETS, keyRef, { signal: ctx.signal }) : cached;
    if (!secret) {
      await createKeySecret(ctx, namespace);
      return; // the new Secret's watch event brings the next round (records, ConfigMap)
    }
    let loaded;
    try {
      loaded = await identities.fromSecret(secret);
    } catch (error) {
      // A key Secret brought by someone else and broken: said once, the next change of it re-triggers.
      if (error instanceof AgeSecretError) {
        await ctx.events.warn(error.reason, error.message);
        return;
      }
      throw error;
    }
    // A key Secret made by hand is used as it is: never renewed nor rewritten, all its recipients published.
    const state: KeyState = isOurs(secret)
      ? await maintainKeys(ctx, {
          secret,
          identities: loaded,
          users: deps.usersOf(namespace, settings.secretName),
          dependence: deps.dependence,
          renewalMs,
          retireGraceMs,
          now: new Date(),
        })
      : { current: loaded.recipients, retiring: [], created: undefined };
    keyMetrics.observed(namespace, { created: state.created, retiring: state.retiring.length });
    await publish(ctx, namespace, state);
    return state.recheckMs !== undefined ? { requeueAfterMs: state.recheckMs } : undefined;
  }

  async function createKeySecret(ctx: HandlerContext<KubeObject>, namespace: string): Promise<void> {
    const { identity, recipient } = await generateKeyPair();
    const now = new Date();
    const body = keySecretBody(namespace, settings.secretName, identity, recipient, now);
    body.metadata.annotations = { [KEY_RECORDS_ANNOTATION]: formatRecords([{ recipient, created: now.toISOString() }]) };
    try {
      await ctx.client.create<DataObject>(SECRETS, body, { namespace, signal: ctx.signal });
    } catch (error) {
      // Another replica or a person made it meanwhile: theirs is the key; judge it at the next event.
      if (error instanceof ConflictError) throw new TemporaryError('the key Secret appeared meanwhile', { delayMs: 500, cause: error });
      throw error;
    }
    await ctx.events.info('KeyGenerated', `age identity generated in Secret ${settings.secretName}; recipient ${recipient} published`);
  }

  async function publish(ctx: HandlerContext<KubeObject>, namespace: string, state: KeyState): Promise<void> {
    const data = recipientsData(state.current, state.retiring);
    const existing = configMaps.cached({ namespace, name: RECIPIENTS_CONFIGMAP });
    const action = configMapAction(existing, data);
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: RECIPIENTS_CONFIGMAP, namespace, labels: { ...MANAGED_BY } },
      data,
    };
    if (action === 'create') await ctx.client.create(CONFIGMAPS, body as KubeObject, { namespace, signal: ctx.signal });
    if (action === 'update') {
      const rv = existing!.metadata.resourceVersion!;
      await ctx.client.replace(CONFIGMAPS, { ...body, metadata: { ...body.metadata, resourceVersion: rv } } as KubeObject, {
        signal: ctx.signal,
      });
    }
    if (action === 'foreign')
      await ctx.events.warn(
        'RecipientsNotOwned',
        `ConfigMap ${RECIPIENTS_CONFIGMAP} exists and was not made by the operator; recipients not published`,
      );
  }
  namespaces.reconcile({ apply }, { finalizer: false });
}
