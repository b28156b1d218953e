// Cluster-held namespace keys, the effects: a reconciler per opted-in Namespace creates the key Secret when absent
// and publishes its recipients (public keys only) in a ConfigMap that developers read without reading Secrets.
import { ConflictError, TemporaryError, type HandlerContext, type KubeObject, type Operator, type ResourceHandle } from 'capstan';
import { generateKeyPair } from '../crypto/identities.js';
import { AgeSecretError } from '../errors.js';
import { IdentityCache, SECRETS } from '../reconcile/key-source.js';
import {
  configMapAction,
  keySecretBody,
  managesKeys,
  RECIPIENTS_CONFIGMAP,
  recipientsData,
  type ManagedKeysSettings,
} from './namespace-keys.js';
import { MANAGED_BY } from './namespace-keys.js';

const NAMESPACES = { version: 'v1', plural: 'namespaces' } as const;
export const CONFIGMAPS = { version: 'v1', plural: 'configmaps' } as const;
type DataObject = KubeObject & { data?: Record<string, string> };

/** Registers the Namespace reconciler (only when some namespace may opt in: its RBAC is granted only then). */
export function registerManagedKeys(
  operator: Operator,
  deps: { secrets: ResourceHandle<DataObject>; identities: IdentityCache; settings: ManagedKeysSettings },
): void {
  const { settings, secrets, identities } = deps;
  const namespaces = operator.resource<KubeObject>(NAMESPACES);
  // Only the one ConfigMap name is watched: its drift is restored, and nothing else in ConfigMaps is read.
  const configMaps = operator.resource<DataObject>(CONFIGMAPS, { fieldSelector: `metadata.name=${RECIPIENTS_CONFIGMAP}` });
  const toNamespace = (obj: KubeObject) => [{ name: obj.metadata.namespace ?? '' }];
  namespaces.watches(secrets, (secret) => (secret.metadata.name === settings.secretName ? toNamespace(secret) : []));
  namespaces.watches(configMaps, toNamespace);
  operator.uses(CONFIGMAPS, ['create', 'update'], { why: 'publishes the recipients (public keys) of cluster-held namespace keys' });

  async function apply(ctx: HandlerContext<KubeObject>): Promise<void> {
    const ns = ctx.body as unknown as KubeObject;
    if (!managesKeys(ns, settings)) return;
    const namespace = ns.metadata.name ?? '';
    const keyRef = { namespace, name: settings.secretName };
    let secret = secrets.cached(keyRef);
    if (!secret) {
      const { identity, recipient } = await generateKeyPair();
      try {
        secret = await ctx.client.create<DataObject>(
          SECRETS,
          keySecretBody(namespace, settings.secretName, identity, recipient, new Date()),
          {
            namespace,
            signal: ctx.signal,
          },
        );
      } catch (error) {
        // Another replica or a person made it meanwhile: theirs is the key; judge it at the next event.
        if (error instanceof ConflictError) throw new TemporaryError('the key Secret appeared meanwhile', { delayMs: 500, cause: error });
        throw error;
      }
      await ctx.events.info('KeyGenerated', `age identity generated in Secret ${settings.secretName}; recipient ${recipient} published`);
    }
    let recipients: string[];
    try {
      recipients = (await identities.fromSecret(secret)).recipients;
    } catch (error) {
      // A key Secret brought by someone else and broken: said once, the next change of it re-triggers.
      if (error instanceof AgeSecretError) {
        await ctx.events.warn(error.reason, error.message);
        return;
      }
      throw error;
    }
    const data = recipientsData(recipients);
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
