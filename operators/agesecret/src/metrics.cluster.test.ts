// The operator's own metrics against the real API server: decryptions, refusals by reason, AgeSecrets by Ready;
// only namespaces and reasons as labels (no Secret or AgeSecret names, no values).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, type KubeObject } from 'capstan';
import { createOperatorMetrics, type OperatorMetrics } from 'capstan/production';
import { generateKeyPair } from './crypto/identities.js';
import {
  AGESECRETS,
  ageSecret,
  b64,
  encryptFor,
  eventually,
  putKeySecret,
  SECRETS,
  waitReady,
  operatorNamespace,
  type OperatorNamespace,
} from './test-fixtures.js';

describe('AgeSecret metrics', () => {
  let client: ApiClient;
  let ns: string;
  let metrics: OperatorMetrics;
  let env: OperatorNamespace;

  /** The value of one series in the exposition text (0 when absent). */
  const series = async (name: string, labels: string): Promise<number> => {
    const { body } = await metrics.render();
    const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels},`) || l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  before(async () => {
    metrics = createOperatorMetrics({ operator: 'agesecret-operator', processMetrics: false });
    env = await operatorNamespace('asec-metrics', { metrics });
    ({ client, namespace: ns } = env);
  });

  after(() => env.close());

  test('decryptions, refusals by reason and AgeSecrets by Ready, labelled by namespace and reason only', async () => {
    const key = await generateKeyPair();
    const stranger = await generateKeyPair();
    await putKeySecret(client, ns, 'key', key.identity);
    await client.create(SECRETS, { metadata: { name: 'taken-target-name', namespace: ns }, data: { v: b64('x') } } as KubeObject, {
      namespace: ns,
    });
    const spec = async (secretName: string, recipient: string, plaintext: string) => ({
      secretName,
      secretKey: 'v',
      ageSecretRef: 'key',
      secret: await encryptFor([recipient], plaintext),
    });
    await client.create(AGESECRETS, ageSecret(ns, 'good-agesecret-name', await spec('good-secret-name', key.recipient, 'metric-plain-1')));
    await client.create(AGESECRETS, ageSecret(ns, 'wrong-key-name', await spec('wrong-secret-name', stranger.recipient, 'metric-plain-2')));
    await client.create(AGESECRETS, ageSecret(ns, 'thief-name', await spec('taken-target-name', key.recipient, 'metric-plain-3')));
    await Promise.all([
      waitReady(client, ns, 'good-agesecret-name', 'True'),
      waitReady(client, ns, 'wrong-key-name', 'False', 'NoMatchingKey'),
      waitReady(client, ns, 'thief-name', 'False', 'SecretNotOwned'),
    ]);
    await eventually('the metrics', async () => {
      const values = await Promise.all([
        series('agesecret_decryptions_total', `namespace="${ns}"`),
        series('agesecret_refusals_total', `namespace="${ns}",reason="NoMatchingKey"`),
        series('agesecret_refusals_total', `namespace="${ns}",reason="SecretNotOwned"`),
        series('agesecret_agesecrets', `namespace="${ns}",ready="True"`),
        series('agesecret_agesecrets', `namespace="${ns}",ready="False"`),
      ]);
      // The counters may count a retried reconcile twice; the gauge is exact once the cache has the statuses.
      const [decrypted, noKey, notOwned, ready, refused] = values;
      return decrypted! >= 1 && noKey! >= 1 && notOwned! >= 1 && ready === 1 && refused === 2 ? true : undefined;
    });
    const { body } = await metrics.render();
    for (const needle of [
      'good-agesecret-name',
      'good-secret-name',
      'wrong-key-name',
      'thief-name',
      'taken-target-name',
      'metric-plain',
      'AGE-SECRET-KEY',
    ])
      assert.ok(!body.includes(needle), `/metrics carries ${needle}`);
    // An AgeSecret deleted leaves the gauge.
    await client.delete(AGESECRETS, { namespace: ns, name: 'thief-name' });
    await eventually('the gauge follows the deletion', async () =>
      (await series('agesecret_agesecrets', `namespace="${ns}",ready="False"`)) === 1 ? true : undefined,
    );
  });
});
