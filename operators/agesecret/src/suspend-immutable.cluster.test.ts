// spec.suspend (nothing written while true, the Suspended condition says so) and spec.immutable (a changed value
// replaces the Secret) against the real API server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, getCondition } from 'capstan';
import { generateKeyPair } from './crypto/identities.js';
import {
  AGESECRETS,
  ageSecret,
  b64,
  encryptFor,
  eventually,
  putKeySecret,
  SECRETS,
  secretOf,
  unb64,
  uniqueName,
  waitReady,
  waitSecret,
  type AgeSecretObject,
  operatorNamespace,
  type OperatorNamespace,
} from './test-fixtures.js';

describe('spec.suspend and spec.immutable', () => {
  let client: ApiClient;
  let ns: string;
  let recipient: string;
  let env: OperatorNamespace;
  const writes: string[] = [];
  const value = (plaintext: string) => encryptFor([recipient], plaintext);

  /** Waits until the operator has seen this generation while suspended (the Suspended condition carries it). */
  const waitSuspendedSeen = (name: string) =>
    eventually(`${name} Suspended for its generation`, async () => {
      const obj = await client.get<AgeSecretObject>(AGESECRETS, { namespace: ns, name });
      const c = getCondition(obj.status?.conditions, 'Suspended');
      return c?.status === 'True' && c.observedGeneration === obj.metadata.generation ? c : undefined;
    });

  before(async () => {
    env = await operatorNamespace('asec-suspend', {
      hooks: {
        apiRequest: (info) => {
          if (info.method !== 'GET') writes.push(`${info.method} ${info.verb}`);
        },
      },
    });
    ({ client, namespace: ns } = env);
    const key = await generateKeyPair();
    recipient = key.recipient;
    await putKeySecret(client, ns, 'key', key.identity);
  });

  after(() => env.close());

  test('suspended: no write of any kind (change, drift, deletion, rename); resumed: all caught up', async () => {
    const name = uniqueName('paused');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, { secretName: name, secretKey: 'v', secret: await value('before-1'), ageSecretRef: 'key' }),
    );
    const original = await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'before-1');
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { suspend: true } });
    const cond = await waitSuspendedSeen(name);
    assert.match(cond.message, new RegExp(`writes nothing to Secret ${name}`));
    const writesBefore = writes.length;
    // A new value and a drift: neither reaches the Secret while suspended.
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { secret: await value('after-2') } });
    await waitSuspendedSeen(name);
    await client.patch(SECRETS, { namespace: ns, name }, { data: { v: b64('edited-3') } });
    // A rename while suspended: the new Secret is not made and the old one is not deleted.
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { secretName: `${name}-renamed` } });
    await waitSuspendedSeen(name);
    assert.equal(unb64((await secretOf(client, ns, name))?.data?.['v']), 'edited-3');
    assert.equal(await secretOf(client, ns, `${name}-renamed`), undefined);
    // Only the status says anything while suspended (this file's one test at a time runs against the operator).
    const meanwhile = writes.slice(writesBefore);
    assert.ok(meanwhile.length >= 2, meanwhile.join(', '));
    assert.deepEqual(
      meanwhile.filter((w) => !w.endsWith('patch/status')),
      [],
    );
    const ready = await client.get<AgeSecretObject>(AGESECRETS, { namespace: ns, name });
    assert.equal(getCondition(ready.status?.conditions, 'Ready')?.observedGeneration, 1, 'Ready keeps the generation last applied');
    assert.equal((await secretOf(client, ns, name))?.metadata.uid, original.metadata.uid);

    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { suspend: false } });
    await waitReady(client, ns, name, 'True', 'Decrypted');
    await waitSecret(client, ns, `${name}-renamed`, (s) => unb64(s.data?.['v']) === 'after-2');
    await eventually('the old name deleted once resumed', async () => ((await secretOf(client, ns, name)) ? undefined : true));
    const resumed = await client.get<AgeSecretObject>(AGESECRETS, { namespace: ns, name });
    assert.equal(getCondition(resumed.status?.conditions, 'Suspended'), undefined, 'the Suspended condition is gone');
  });

  test('immutable: created immutable; a new value replaces it (new uid); dropping the flag replaces it again', async () => {
    const name = uniqueName('frozen');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, { secretName: name, secretKey: 'v', secret: await value('first-4'), ageSecretRef: 'key', immutable: true }),
    );
    const first = await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'first-4');
    assert.equal(first.immutable, true);
    await waitReady(client, ns, name, 'True');
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { secret: await value('second-5') } });
    const second = await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'second-5');
    assert.equal(second.immutable, true);
    assert.notEqual(second.metadata.uid, first.metadata.uid, 'replaced: delete + create');
    await waitReady(client, ns, name, 'True');
    // Labels may change in place on an immutable Secret: same uid.
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { labels: { tier: 'gold' } } });
    const relabelled = await waitSecret(client, ns, name, (s) => s.metadata.labels?.['tier'] === 'gold');
    assert.equal(relabelled.metadata.uid, second.metadata.uid);
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { immutable: false } });
    const mutable = await waitSecret(client, ns, name, (s) => s.immutable !== true);
    assert.notEqual(mutable.metadata.uid, second.metadata.uid);
    assert.equal(unb64(mutable.data?.['v']), 'second-5');
    await waitReady(client, ns, name, 'True');
  });
});
