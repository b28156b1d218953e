// Key Secrets: identities parsed once per resourceVersion; bad ones refused without echoing key material.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '../crypto/identities.js';
import type { KubeClient } from 'capstan';
import { IdentityCache, keySecretOf, KeySourceError } from './key-source.js';

const secret = (data: Record<string, string>, resourceVersion = '1') => ({
  metadata: { namespace: 'n', name: 'k', resourceVersion },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

test('identities are parsed once per resourceVersion', async () => {
  const a = await generateKeyPair();
  const cache = new IdentityCache();
  const first = await cache.fromSecret(secret({ secretKey: a.identity }));
  assert.equal(await cache.fromSecret(secret({ secretKey: a.identity })), first);
  assert.notEqual(await cache.fromSecret(secret({ secretKey: a.identity }, '2')), first);
  assert.deepEqual(first.recipients, [a.recipient]);
});

test('a key Secret without secretKey, or with garbage in it, is KeySecretInvalid and never quoted', async () => {
  const cache = new IdentityCache();
  await assert.rejects(
    cache.fromSecret(secret({ other: 'x' })),
    (e: Error) => e instanceof KeySourceError && e.reason === 'KeySecretInvalid',
  );
  const leaky = 'AGE-SECRET-KEY-1NOTREALLYAKEYBUTLOOKSLIKEONE';
  await assert.rejects(cache.fromSecret(secret({ secretKey: `${leaky}\nhunter2` })), (e: Error) => {
    assert.ok(e instanceof KeySourceError && e.reason === 'KeySecretInvalid');
    assert.ok(!e.message.includes('hunter2') && !e.message.includes(leaky), e.message);
    return true;
  });
});

test('keySecretOf: own namespace for ageSecretRef, the default otherwise (or none)', () => {
  assert.deepEqual(keySecretOf({ kind: 'secret', name: 'k' }, 'dev', undefined), { namespace: 'dev', name: 'k' });
  assert.deepEqual(keySecretOf({ kind: 'default' }, 'dev', { namespace: 'ops', name: 'd' }), { namespace: 'ops', name: 'd' });
  assert.equal(keySecretOf({ kind: 'default' }, 'dev', undefined), undefined);
});

test('load: the cached key Secret when it has its values, a GET when the cache kept only their digest', async () => {
  const a = await generateKeyPair();
  const whole = secret({ secretKey: a.identity });
  const gets: string[] = [];
  const client = {
    async get(_ref: unknown, key: { namespace: string; name: string }) {
      gets.push(`${key.namespace}/${key.name}`);
      return whole;
    },
  } as unknown as KubeClient;
  const ref = { namespace: 'n', name: 'k' };
  const cases: [string, ReturnType<typeof secret> | (Omit<ReturnType<typeof secret>, 'data'> & { dataDigest: string }), string[]][] = [
    ['values cached', whole, []],
    ['values dropped by the cache', { metadata: whole.metadata, dataDigest: 'digest' }, ['n/k']],
  ];
  for (const [name, cached, want] of cases) {
    gets.length = 0;
    const loaded = await new IdentityCache().load(client, ref, { cached: () => cached });
    assert.deepEqual(loaded.recipients, [a.recipient], name);
    assert.deepEqual(gets, want, name);
  }
});
