// Cluster-held namespace keys against the real API server: a labelled namespace gets its key generated and its
// recipients published in a ConfigMap; a developer encrypts for them and the AgeSecret decrypts in the cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from 'capstan';
import { loadIdentities } from './crypto/identities.js';
import { CONFIGMAPS } from './keys/key-keeper.js';
import { DEFAULT_MANAGED_KEY_SECRET, MANAGED_KEYS_LABEL, RECIPIENTS_CONFIGMAP } from './keys/namespace-keys.js';
import {
  AGESECRETS,
  ageSecret,
  encryptFor,
  eventually,
  NAMESPACES,
  operatorNamespace,
  secretOf,
  unb64,
  waitReady,
  waitSecret,
  type OperatorNamespace,
} from './test-fixtures.js';

type ConfigMap = KubeObject & { data?: Record<string, string> };

describe('cluster-held namespace keys', () => {
  let env: OperatorNamespace;
  const recipientsOf = async (): Promise<string[] | undefined> => {
    const cm = await env.client.tryGet<ConfigMap>(CONFIGMAPS, { namespace: env.namespace, name: RECIPIENTS_CONFIGMAP });
    return cm?.data?.['recipients']?.trim().split('\n');
  };

  before(async () => {
    env = await operatorNamespace('asec-keys', { managedKeys: { namespaces: [], label: true, secretName: DEFAULT_MANAGED_KEY_SECRET } });
  });

  after(() => env.close());

  test('opt in by label: key generated, recipients published (public keys only), used by an AgeSecret; tampering restored', async () => {
    const { client, namespace: ns } = env;
    assert.equal(await secretOf(client, ns, DEFAULT_MANAGED_KEY_SECRET), undefined, 'nothing before the opt-in');
    await client.patch(NAMESPACES, { name: ns }, { metadata: { labels: { [MANAGED_KEYS_LABEL]: 'true' } } });
    const recipients = await eventually('recipients published', recipientsOf);
    const key = await waitSecret(client, ns, DEFAULT_MANAGED_KEY_SECRET, (s) => Boolean(s.data?.['secretKey']));
    const identities = await loadIdentities(unb64(key.data?.['secretKey']));
    assert.deepEqual(recipients, identities.recipients);
    const cm = await client.get<ConfigMap>(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP });
    assert.ok(!JSON.stringify(cm).includes('AGE-SECRET-KEY'), 'no identity in the ConfigMap');

    // A developer encrypts for the published recipients only; the cluster decrypts.
    await client.create(
      AGESECRETS,
      ageSecret(ns, 'uses-namespace-key', {
        secretName: 'uses-namespace-key',
        secretKey: 'v',
        ageSecretRef: DEFAULT_MANAGED_KEY_SECRET,
        secret: await encryptFor(recipients, 'held-by-cluster-1'),
      }),
    );
    await waitReady(client, ns, 'uses-namespace-key', 'True');
    assert.equal(unb64((await secretOf(client, ns, 'uses-namespace-key'))?.data?.['v']), 'held-by-cluster-1');

    // Someone points developers at another key: the ConfigMap is put back.
    await client.patch(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP }, { data: { recipients: 'age1attacker\n' } });
    await eventually('the recipients restored', async () => ((await recipientsOf())?.join() === recipients.join() ? true : undefined));
    // The key is generated once: the key Secret keeps its identity.
    const again = await secretOf(client, ns, DEFAULT_MANAGED_KEY_SECRET);
    assert.equal(again?.data?.['secretKey'], key.data?.['secretKey']);
  });
});
