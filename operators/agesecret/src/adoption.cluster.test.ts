// Consented adoption against the real API server: consent on the Secret hands it over; consent anywhere else does not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, type KubeObject } from 'capstan';
import { generateKeyPair } from './crypto/identities.js';
import { ADOPT_ANNOTATION } from './reconcile/ownership.js';
import {
  AGESECRETS,
  ageSecret,
  b64,
  encryptFor,
  putKeySecret,
  SECRETS,
  secretOf,
  unb64,
  uniqueName,
  waitEvent,
  waitGone,
  waitReady,
  waitSecret,
  type SecretObject,
  operatorNamespace,
  type OperatorNamespace,
} from './test-fixtures.js';

describe('consented adoption of an existing Secret', () => {
  let client: ApiClient;
  let ns: string;
  let recipient: string;
  let env: OperatorNamespace;

  /** A hand-made Secret, as a team has before it moves to AgeSecrets. */
  const handMade = async (name: string, metadata: Partial<KubeObject['metadata']> = {}): Promise<SecretObject> =>
    client.create<SecretObject>(
      SECRETS,
      { metadata: { name, namespace: ns, ...metadata }, data: { token: b64('hand-made-1') } } as unknown as KubeObject,
      { namespace: ns },
    );
  const claim = async (name: string, target: string, extra: Partial<KubeObject['metadata']> = {}, annotations?: Record<string, string>) => {
    const body = ageSecret(ns, name, {
      secretName: target,
      secretKey: 'token',
      secret: await encryptFor([recipient], 'adopted-value-2'),
      ageSecretRef: 'key',
      ...(annotations ? { annotations } : {}),
    });
    await client.create(AGESECRETS, { ...body, metadata: { ...body.metadata, ...extra } });
  };
  /** Refused and left byte-identical: same resourceVersion, no owner, the hand-made value. */
  const assertUntouched = async (before: SecretObject, what: string) => {
    const now = await secretOf(client, ns, before.metadata.name!);
    assert.equal(now?.metadata.resourceVersion, before.metadata.resourceVersion, what);
    assert.equal(now?.metadata.ownerReferences, undefined, what);
    assert.equal(unb64(now?.data?.['token']), 'hand-made-1', what);
  };

  before(async () => {
    env = await operatorNamespace('asec-adopt');
    ({ client, namespace: ns } = env);
    const key = await generateKeyPair();
    recipient = key.recipient;
    await putKeySecret(client, ns, 'key', key.identity);
  });

  after(() => env.close());

  test('consent on the Secret: refused before, adopted after; managed and garbage-collected from then on', async () => {
    const target = uniqueName('legacy');
    const name = uniqueName('owner');
    await handMade(target);
    await claim(name, target);
    await waitReady(client, ns, name, 'False', 'SecretNotOwned');
    // Whoever may edit the Secret consents on it; the watch on Secrets re-triggers the waiting AgeSecret.
    await client.patch(SECRETS, { namespace: ns, name: target }, { metadata: { annotations: { [ADOPT_ANNOTATION]: name } } });
    const adopted = await waitSecret(client, ns, target, (s) => unb64(s.data?.['token']) === 'adopted-value-2');
    assert.equal(adopted.metadata.ownerReferences?.length, 1);
    assert.equal(adopted.metadata.ownerReferences?.[0]?.name, name);
    assert.equal(adopted.metadata.ownerReferences?.[0]?.controller, true);
    assert.equal(adopted.metadata.annotations?.[ADOPT_ANNOTATION], undefined, 'the consent is consumed');
    await waitReady(client, ns, name, 'True', 'Decrypted');
    await waitEvent(client, ns, name, 'SecretAdopted');
    // Managed: drift is corrected like on any Secret the operator created.
    await client.patch(SECRETS, { namespace: ns, name: target }, { data: { token: b64('edited-by-hand') } });
    await waitSecret(client, ns, target, (s) => unb64(s.data?.['token']) === 'adopted-value-2');
    await client.delete(AGESECRETS, { namespace: ns, name });
    await waitGone(client, SECRETS, ns, target);
  });

  test('consent on the wrong side does nothing: on the AgeSecret, in its spec.annotations, or naming another AgeSecret', async () => {
    const cases: [string, (name: string, target: string) => Promise<void>][] = [
      ['on the AgeSecret', (name, target) => claim(name, target, { annotations: { [ADOPT_ANNOTATION]: name } })],
      ['in spec.annotations', (name, target) => claim(name, target, {}, { [ADOPT_ANNOTATION]: name })],
      ['labels of the AgeSecret', (name, target) => claim(name, target, { labels: { [ADOPT_ANNOTATION]: name } })],
    ];
    for (const [what, create] of cases) {
      const target = uniqueName('kept');
      const name = uniqueName('hijack');
      const original = await handMade(target);
      await create(name, target);
      await waitReady(client, ns, name, 'False', 'SecretNotOwned');
      await assertUntouched(original, what);
    }
    // The Secret consents to another AgeSecret: this one stays refused, the named one may take it.
    const target = uniqueName('promised');
    const [thief, heir] = [uniqueName('thief'), uniqueName('heir')];
    const original = await handMade(target, { annotations: { [ADOPT_ANNOTATION]: heir } });
    await claim(thief, target);
    await waitReady(client, ns, thief, 'False', 'SecretNotOwned');
    await assertUntouched(original, 'consent naming another AgeSecret');
    await claim(heir, target);
    await waitReady(client, ns, heir, 'True', 'Decrypted');
    const taken = await secretOf(client, ns, target);
    assert.equal(taken?.metadata.ownerReferences?.[0]?.name, heir);
    // Now controlled by the heir: even a consent naming the thief cannot move it (one controller at a time).
    await client.patch(SECRETS, { namespace: ns, name: target }, { metadata: { annotations: { [ADOPT_ANNOTATION]: thief } } });
    await client.patch(AGESECRETS, { namespace: ns, name: thief }, { metadata: { labels: { nudge: '1' } } });
    await waitReady(client, ns, thief, 'False', 'SecretNotOwned');
    await waitReady(client, ns, heir, 'True');
    assert.equal((await secretOf(client, ns, target))?.metadata.ownerReferences?.[0]?.name, heir);
  });
});
