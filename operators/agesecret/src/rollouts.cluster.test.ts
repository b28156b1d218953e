// Rollouts on change against the real API server: an opted-in Deployment using the Secret rolls once per data change
// (and writes nothing on a no-op), an opted-out one and one using another Secret never.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from 'capstan';
import { generateKeyPair } from './crypto/identities.js';
import { hashAnnotation, ROLLOUT_ANNOTATION, type Workload } from './rollouts/rollout-plan.js';
import { WORKLOADS } from './rollouts/rollouts.js';
import {
  AGESECRETS,
  ageSecret,
  encryptFor,
  eventually,
  operatorNamespace,
  putKeySecret,
  unb64,
  waitReady,
  waitSecret,
  type OperatorNamespace,
} from './test-fixtures.js';

const DEPLOYMENTS = WORKLOADS[0];
const SECRET = 'app-config';
const KEY = hashAnnotation(SECRET);

const deployment = (namespace: string, name: string, optIn: boolean, secretName: string): Workload =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(optIn ? { annotations: { [ROLLOUT_ANNOTATION]: 'true' } } : {}) },
    spec: {
      replicas: 0, // the template is what rolls; no pods are needed to see it
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'app:1', env: [{ name: 'V', valueFrom: { secretKeyRef: { name: secretName, key: 'v' } } }] }],
        },
      },
    },
  }) as unknown as Workload;

describe('rollouts on change', () => {
  let env: OperatorNamespace;

  before(async () => {
    env = await operatorNamespace('asec-roll', { rollouts: true });
  });

  after(() => env.close());

  test('opted-in Deployment rolls once per data change; opted-out and unrelated ones never; no-ops write nothing', async () => {
    const { client, namespace: ns } = env;
    const get = (name: string) => client.get<Workload>(DEPLOYMENTS, { namespace: ns, name });
    const rolled = (name: string) => env.running.logs.filter((l) => l.includes('workload rolled') && l.includes(name)).length;
    const key = await generateKeyPair();
    await putKeySecret(client, ns, 'key', key.identity);
    const spec = async (value: string, labels?: Record<string, string>) => ({
      secretName: SECRET,
      secretKey: 'v',
      ageSecretRef: 'key',
      secret: await encryptFor([key.recipient], value),
      ...(labels ? { labels } : {}),
    });
    await client.create(AGESECRETS, ageSecret(ns, 'app', await spec('one')));
    await waitReady(client, ns, 'app', 'True');
    for (const [name, optIn, secretName] of [
      ['opted-in', true, SECRET],
      ['opted-out', false, SECRET],
      ['unrelated', true, 'another-secret'],
    ] as const)
      await client.create(DEPLOYMENTS, deployment(ns, name, optIn, secretName) as KubeObject);

    // Opting in records the current data in the template (one rollout), so that later changes are recognised.
    const annotationOf = async (name: string) => (await get(name)).spec?.template?.metadata?.annotations?.[KEY];
    const first = await eventually('the opted-in Deployment records the data hash', () => annotationOf('opted-in'));
    const generation0 = (await get('opted-in')).metadata.generation!;
    assert.equal(rolled('opted-in'), 1);

    const change = async (value: string, labels?: Record<string, string>) => {
      const before = (await annotationOf('opted-in')) ?? '';
      await client.patch(AGESECRETS, { namespace: ns, name: 'app' }, { spec: await spec(value, labels) });
      await waitSecret(client, ns, SECRET, (s) => unb64(s.data?.['v']) === value);
      return eventually('the Deployment rolled', async () => {
        const now = await annotationOf('opted-in');
        return now && now !== before ? now : undefined;
      });
    };
    const second = await change('two');
    assert.notEqual(second, first);
    assert.equal((await get('opted-in')).metadata.generation, generation0 + 1, 'exactly one template change');
    assert.ok(!JSON.stringify(await get('opted-in')).includes('two'), 'no data in the workload');

    // No-ops: the Secret rewritten with the same data (a label), the Deployment touched. Then one more data change:
    // had a no-op written, the count of writes would show it.
    await client.patch(AGESECRETS, { namespace: ns, name: 'app' }, { spec: { labels: { tier: 'web' } } });
    await waitSecret(client, ns, SECRET, (s) => s.metadata.labels?.['tier'] === 'web');
    await client.patch(DEPLOYMENTS, { namespace: ns, name: 'opted-in' }, { metadata: { labels: { touched: 'yes' } } });
    await eventually('the touch seen', async () => ((await get('opted-in')).metadata.labels?.['touched'] ? true : undefined));
    const third = await change('three', { tier: 'web' });
    assert.notEqual(third, second);
    assert.equal((await get('opted-in')).metadata.generation, generation0 + 2, 'one template change per data change');
    assert.equal(rolled('opted-in'), 3, 'one write per data change (plus the opt-in), none for the no-ops');

    for (const name of ['opted-out', 'unrelated']) {
      const w = await get(name);
      assert.equal(w.metadata.generation, 1, `${name} never rolled`);
      assert.equal(w.spec?.template?.metadata?.annotations?.[KEY], undefined);
      assert.equal(rolled(name), 0);
    }
  });
});
