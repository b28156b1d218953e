// Renewal of a cluster-held key against the real API server: every AgeSecret stays Ready throughout, the old identity
// is retired only once every AgeSecret was re-encrypted for the new recipient (never before, also across a restart).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from 'capstan';
import { createOperatorMetrics, type OperatorMetrics } from 'capstan/production';
import { loadIdentities } from './crypto/identities.js';
import { CONFIGMAPS } from './keys/key-keeper.js';
import { formatRecords, KEY_RECORDS_ANNOTATION, parseRecords } from './keys/key-records.js';
import { DEFAULT_MANAGED_KEY_SECRET, MANAGED_KEYS_LABEL, RECIPIENTS_CONFIGMAP } from './keys/namespace-keys.js';
import {
  AGESECRETS,
  ageSecret,
  encryptFor,
  EVENTS,
  eventually,
  NAMESPACES,
  operatorNamespace,
  SECRETS,
  secretOf,
  unb64,
  waitReady,
  type AgeSecretObject,
  type EventObject,
  type OperatorNamespace,
} from './test-fixtures.js';

type ConfigMap = KubeObject & { data?: Record<string, string> };
const DAY = 86_400_000;
const NAMES = ['renew-a', 'renew-b', 'renew-c'];
type Client = OperatorNamespace['client'];

/** The namespace's published recipients ConfigMap data (`recipients`, `retiring`), if any. */
const publishedIn = async (client: Client, ns: string) =>
  (await client.tryGet<ConfigMap>(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP }))?.data;
/** The recipients of the identities the namespace's key Secret holds. */
const heldIn = async (client: Client, ns: string): Promise<string[]> => {
  const key = await secretOf(client, ns, DEFAULT_MANAGED_KEY_SECRET);
  return (await loadIdentities(unb64(key?.data?.['secretKey']))).recipients;
};
/** Makes the key's renewal due: its record backdated 31 days, past the 30-day default. */
const backdateKey = (client: Client, ns: string, recipient: string) =>
  client.patch(
    SECRETS,
    { namespace: ns, name: DEFAULT_MANAGED_KEY_SECRET },
    {
      metadata: {
        annotations: { [KEY_RECORDS_ANNOTATION]: formatRecords([{ recipient, created: new Date(Date.now() - 31 * DAY).toISOString() }]) },
      },
    },
  );
/** Re-encrypts an AgeSecret's value for `recipients` and waits until its status reports it current. */
const reencryptFor = async (client: Client, ns: string, name: string, recipients: string[], value: string) => {
  await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { secret: await encryptFor(recipients, value) } });
  await eventually(`${name} re-encrypted and reported`, async () => {
    const obj = await client.get<AgeSecretObject>(AGESECRETS, { namespace: ns, name });
    return obj.status?.observedGeneration === obj.metadata.generation && obj.status?.needsReencryption === false ? true : undefined;
  });
};

describe('cluster-held key renewal', () => {
  let env: OperatorNamespace;
  const freshMetrics = () => createOperatorMetrics({ operator: 'agesecret-operator', processMetrics: false });
  let metrics: OperatorMetrics = freshMetrics();

  const published = () => publishedIn(env.client, env.namespace);
  const keyRecipients = () => heldIn(env.client, env.namespace);
  const gauge = async (name: string): Promise<number | undefined> => {
    const labels = `namespace="${env.namespace}"`;
    const line = (await metrics.render()).body
      .split('\n')
      .find((l) => l.startsWith(`${name}{${labels},`) || l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').at(-1)) : undefined;
  };
  const statuses = async () => (await env.client.list<AgeSecretObject>(AGESECRETS, { namespace: env.namespace })).items;
  const reencrypt = (name: string, recipients: string[]) => reencryptFor(env.client, env.namespace, name, recipients, `value-of-${name}`);

  before(async () => {
    env = await operatorNamespace('asec-renew', {
      metrics,
      managedKeys: { namespaces: [], label: true, secretName: DEFAULT_MANAGED_KEY_SECRET, retireGraceMs: 0 },
    });
  });

  after(() => env.close());

  test('renewed key: Ready throughout, old identity kept until every AgeSecret is re-encrypted, then retired', async () => {
    const { client, namespace: ns } = env;
    await client.patch(NAMESPACES, { name: ns }, { metadata: { labels: { [MANAGED_KEYS_LABEL]: 'true' } } });
    const first = (await eventually('recipients published', published))['recipients']!.trim().split('\n');
    assert.equal(first.length, 1);
    for (const name of NAMES)
      await client.create(
        AGESECRETS,
        ageSecret(ns, name, {
          secretName: name,
          secretKey: 'v',
          ageSecretRef: DEFAULT_MANAGED_KEY_SECRET,
          secret: await encryptFor(first, `value-of-${name}`),
        }),
      );
    for (const name of NAMES) await waitReady(client, ns, name, 'True');
    await eventually('status publishes the recipients', async () =>
      (await statuses()).every((o) => o.status?.recipients?.join() === first.join() && o.status.needsReencryption === false)
        ? true
        : undefined,
    );
    assert.equal(await gauge('agesecret_retiring_keys'), 0);

    // Every status and Secret seen until the end must be Ready with the right value; the old identity may only
    // disappear once the last AgeSecret was re-encrypted.
    const violations: string[] = [];
    let samples = 0;
    let allReencrypted = false;
    let observing = true;
    const observer = (async () => {
      while (observing) {
        const objects = await statuses();
        const holdsOld = (await keyRecipients()).includes(first[0]!);
        if (!holdsOld && !allReencrypted) violations.push('old identity retired before every AgeSecret was re-encrypted');
        for (const obj of objects) {
          const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
          if (ready?.status !== 'True') violations.push(`${obj.metadata.name}: Ready=${ready?.status} ${ready?.reason}`);
          const value = unb64((await secretOf(client, ns, obj.metadata.name))?.data?.['v']);
          if (value !== `value-of-${obj.metadata.name}`) violations.push(`${obj.metadata.name}: Secret value changed`);
        }
        samples++;
      }
    })();

    // Backdate the key by 31 days (as if it had been made then): the default 30-day renewal is due.
    const key = await client.get<KubeObject>(SECRETS, { namespace: ns, name: DEFAULT_MANAGED_KEY_SECRET });
    const [record] = parseRecords(key);
    assert.equal(record?.recipient, first[0]);
    await backdateKey(client, ns, first[0]!);

    const renewed = await eventually('a new recipient published, the old one retiring', async () => {
      const data = await published();
      return data?.['retiring']?.trim() === first[0] ? data : undefined;
    });
    const second = renewed['recipients']!.trim().split('\n');
    assert.equal(second.length, 1);
    assert.notEqual(second[0], first[0]);
    assert.deepEqual((await keyRecipients()).sort(), [first[0]!, second[0]!].sort(), 'both identities held');
    await eventually('every AgeSecret reports the new recipient and needs re-encryption', async () =>
      (await statuses()).every((o) => o.status?.recipients?.join() === second.join() && o.status.needsReencryption === true)
        ? true
        : undefined,
    );
    assert.equal(await gauge('agesecret_retiring_keys'), 1);
    assert.ok((await gauge('agesecret_key_age_seconds'))! < DAY / 1000, 'the current key is new');
    const renewedRecords = parseRecords(await client.get<KubeObject>(SECRETS, { namespace: ns, name: DEFAULT_MANAGED_KEY_SECRET }));

    // `age-secret updatekeys` for two of three: the old identity stays for the third.
    await reencrypt(NAMES[0]!, second);
    await reencrypt(NAMES[1]!, second);
    assert.ok((await keyRecipients()).includes(first[0]!), 'kept while renew-c needs it');

    // A restart mid-renewal: the new process finds the same records, renews nothing and retires nothing.
    metrics = freshMetrics();
    await env.restart({ metrics });
    await client.delete(CONFIGMAPS, { namespace: ns, name: RECIPIENTS_CONFIGMAP });
    await eventually('the restarted operator republished the same state', async () => {
      const data = await published();
      return data?.['recipients']?.trim() === second[0] && data?.['retiring']?.trim() === first[0] ? true : undefined;
    });
    const afterRestart = await client.get<KubeObject>(SECRETS, { namespace: ns, name: DEFAULT_MANAGED_KEY_SECRET });
    assert.deepEqual(parseRecords(afterRestart), renewedRecords, 'no renewal, no retirement, same times after the restart');
    assert.equal(await gauge('agesecret_retiring_keys'), 1);

    // The last one re-encrypted: now, and only now, the old identity goes.
    allReencrypted = true;
    await reencrypt(NAMES[2]!, second);
    await eventually('old identity retired', async () => ((await keyRecipients()).join() === second.join() ? true : undefined));
    await eventually('KeyRetired Event on the Namespace', async () =>
      (await client.list<EventObject>(EVENTS, { namespace: 'default' })).items
        .concat((await client.list<EventObject>(EVENTS, { namespace: ns })).items)
        .find((e) => e.involvedObject?.kind === 'Namespace' && e.involvedObject.name === ns && e.reason === 'KeyRetired'),
    );
    await eventually('no retiring recipient published', async () => ((await published())?.['retiring'] === undefined ? true : undefined));
    assert.equal(await gauge('agesecret_retiring_keys'), 0);
    for (const name of NAMES) await waitReady(client, ns, name, 'True');
    observing = false;
    await observer;
    assert.deepEqual(violations, []);
    assert.ok(samples > 0);
  });
});

describe('cluster-held key renewal on its schedule', () => {
  let env: OperatorNamespace;

  before(async () => {
    env = await operatorNamespace('asec-renew-due', {
      managedKeys: { namespaces: [], label: true, secretName: DEFAULT_MANAGED_KEY_SECRET, renewalMs: 3000, retireGraceMs: 0 },
    });
  });

  after(() => env.close());

  test('--managed-key-renewal: the key renews when due without any event; an identity nothing needs is retired', async () => {
    const { client, namespace: ns } = env;
    await client.patch(NAMESPACES, { name: ns }, { metadata: { labels: { [MANAGED_KEYS_LABEL]: 'true' } } });
    const recipientsNow = async () => (await publishedIn(client, ns))?.['recipients']?.trim();
    const first = await eventually('recipients published', recipientsNow);
    // No AgeSecret uses the key: the renewal, due by the clock alone, publishes a new recipient and drops the old one.
    await eventually('renewed by the schedule', async () => {
      const now = await recipientsNow();
      return now && now !== first ? true : undefined;
    });
    await eventually('the first identity retired', async () => ((await heldIn(client, ns)).includes(first) ? undefined : true));
  });
});

describe('cluster-held key renewal with a retire grace', () => {
  let env: OperatorNamespace;
  const GRACE_MS = 20_000;

  before(async () => {
    env = await operatorNamespace('asec-renew-grace', {
      managedKeys: { namespaces: [], label: true, secretName: DEFAULT_MANAGED_KEY_SECRET, retireGraceMs: GRACE_MS },
    });
  });

  after(() => env.close());

  test('--managed-key-retire-grace: a value encrypted before a renewal and applied after it decrypts; the identity goes when the grace ends', async () => {
    const { client, namespace: ns } = env;
    const held = () => heldIn(client, ns);
    const published = () => publishedIn(client, ns);
    await client.patch(NAMESPACES, { name: ns }, { metadata: { labels: { [MANAGED_KEYS_LABEL]: 'true' } } });
    const first = (await eventually('recipients published', published))['recipients']!.trim();
    // Encrypted for the key of the day (as committed to git), applied only after the key was renewed.
    const committed = await encryptFor([first], 'value-from-before');

    // Renewal (the record backdated past the 30-day default); no AgeSecret needs the first identity at that moment.
    await backdateKey(client, ns, first);
    const renewed = await eventually('renewed, the first recipient retiring', async () => {
      const data = await published();
      return data?.['retiring']?.trim() === first ? data : undefined;
    });
    const second = renewed['recipients']!.trim();
    assert.notEqual(second, first);
    const retiring = parseRecords(await client.get<KubeObject>(SECRETS, { namespace: ns, name: DEFAULT_MANAGED_KEY_SECRET })).find(
      (r) => r.recipient === first,
    )?.retiring;
    assert.ok(retiring, 'the first identity is recorded as retiring');
    const graceEnds = Date.parse(retiring) + GRACE_MS;
    assert.ok((await held()).includes(first), 'the first identity is held in its grace although nothing needs it');

    // Inside the grace: the old-recipient value applies and decrypts (it would be NoMatchingKey without the grace).
    assert.ok(Date.now() < graceEnds, 'still inside the grace (raise GRACE_MS on a slower machine)');
    await client.create(
      AGESECRETS,
      ageSecret(ns, 'late', { secretName: 'late', secretKey: 'v', ageSecretRef: DEFAULT_MANAGED_KEY_SECRET, secret: committed }),
    );
    await waitReady(client, ns, 'late', 'True');
    assert.equal(unb64((await secretOf(client, ns, 'late'))?.data?.['v']), 'value-from-before');
    await eventually('late reported as needing re-encryption', async () => {
      const obj = await client.get<AgeSecretObject>(AGESECRETS, { namespace: ns, name: 'late' });
      return obj.status?.needsReencryption === true ? true : undefined;
    });

    // Re-encrypted for the new recipient: nothing needs the first identity; it goes when the grace ends, not before.
    await reencryptFor(client, ns, 'late', [second], 'value-from-before');
    await eventually('the first identity retired', async () => ((await held()).includes(first) ? undefined : true), GRACE_MS + 60_000);
    assert.ok(Date.now() >= graceEnds, `retired after its grace (${new Date(graceEnds).toISOString()}), not before`);

    // After the grace: the same old value is refused, clearly, and the first AgeSecret keeps its value.
    await client.create(
      AGESECRETS,
      ageSecret(ns, 'too-late', { secretName: 'too-late', secretKey: 'v', ageSecretRef: DEFAULT_MANAGED_KEY_SECRET, secret: committed }),
    );
    await waitReady(client, ns, 'too-late', 'False', 'NoMatchingKey');
    await waitReady(client, ns, 'late', 'True');
    assert.equal(unb64((await secretOf(client, ns, 'late'))?.data?.['v']), 'value-from-before');
  });
});
