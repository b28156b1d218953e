// Admission faults: the AgeSecret webhook killed and frozen (failurePolicy applies, unrelated objects are never
// blocked, nothing accepted meanwhile stays wrong), and its serving certificate rotated during a burst.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import { recordFigure } from './figures.js';
import { AGESECRET_NS, startAndWaitReady, startRig, type Rig } from './rig.js';
import { waitConverged } from './state-check.js';
import {
  AGESECRETS,
  ageSecretBody,
  createNamespaceWithKey,
  createPlainNamespace,
  declare,
  newKeys,
  SECRETS,
  type Keys,
} from './workload.js';

const ROTATION_BURST = Number(process.env.FAULTS_ROTATION_BURST ?? 300);
const ROTATIONS = Number(process.env.FAULTS_ROTATIONS ?? 5);
const UNRELATED = 30;
const VALIDATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' } as const;
const CONFIG_MAPS = { version: 'v1', plural: 'configmaps' } as const;
const CERT_SECRET = 'agesecret-operator-webhook-cert';
type Cond = { type: string; status: string; reason?: string };

describe('admission faults', { timeout: 3_600_000 }, () => {
  let rig: Rig;
  let keys: Keys;

  before(async () => {
    rig = await startRig({ webhook: true });
    keys = await newKeys();
    await startAndWaitReady(rig.agesecret);
  });

  after(async () => {
    await rig?.close();
  });

  /** Whether the API server calls the webhook now: a dry run of an AgeSecret onto a foreign Secret is refused by it. */
  const webhookAnswers = async (namespace: string, body: KubeObject) =>
    rig.client.create(AGESECRETS, body, { namespace, dryRun: true }).then(
      () => false,
      (e: unknown) => /SecretNotOwned/.test(String(e)),
    );

  /** Creates `n` ConfigMaps in a namespace of their own: objects the webhook has no business with. */
  const unrelatedWrites = async (prefix: string) => {
    const ns = await createPlainNamespace(rig.client, prefix);
    const results = await Promise.allSettled(
      Array.from({ length: UNRELATED }, (_, i) =>
        rig.client.create(CONFIG_MAPS, { metadata: { name: `u-${i}`, namespace: ns } }, { namespace: ns }),
      ),
    );
    return results.filter((r) => r.status === 'fulfilled').length;
  };

  test('webhook down (kill -9, then SIGSTOP): Fail refuses AgeSecrets only; under Ignore what slipped in is refused by condition', async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'webhook-down', keys);
    await rig.client.create(SECRETS, { metadata: { name: 'foreign', namespace }, data: {} } as KubeObject, { namespace });
    const [bad] = declare(namespace, 1, 'PLAINTEXT-DOWN');
    const badBody = await ageSecretBody({ ...bad!, secretName: 'foreign' }, keys);
    await waitUntil(() => webhookAnswers(namespace, badBody), { message: 'the webhook in use', timeoutMs: 60_000 });
    const started = Date.now();

    // Killed: connection refused at once; AgeSecret writes are refused (Fail), everything else goes through.
    await rig.agesecret.kill();
    const good = declare(namespace, 5, 'PLAINTEXT-DOWN-GOOD', 10);
    const goodBodies = await Promise.all(good.map((d) => ageSecretBody(d, keys)));
    const whileKilled = await Promise.allSettled(goodBodies.map((b) => rig.client.create(AGESECRETS, b, { namespace })));
    const refusedKilled = whileKilled.filter((r) => r.status === 'rejected' && /failed calling webhook/.test(String(r.reason))).length;
    assert.equal(refusedKilled, good.length, 'every AgeSecret write refused while the webhook is dead (failurePolicy Fail)');
    const unrelatedKilled = await unrelatedWrites('unrelated-killed');
    assert.equal(unrelatedKilled, UNRELATED, 'no unrelated object blocked');

    // Frozen: the API server waits for its timeout (10 s), then applies the policy; unrelated writes are not slowed.
    await rig.agesecret.start();
    await waitUntil(() => webhookAnswers(namespace, badBody), { message: 'the webhook back', timeoutMs: 120_000 });
    process.kill(rig.agesecret.pid, 'SIGSTOP');
    let frozenRefusalMs = 0;
    try {
      const t0 = Date.now();
      await assert.rejects(rig.client.create(AGESECRETS, goodBodies[0]!, { namespace }), /failed calling webhook|timeout|deadline/i);
      frozenRefusalMs = Date.now() - t0;
      const u0 = Date.now();
      assert.equal(await unrelatedWrites('unrelated-frozen'), UNRELATED);
      t.diagnostic(`unrelated writes while frozen: ${UNRELATED} in ${Date.now() - u0} ms`);
      // An administrator prefers availability: Ignore. The bad AgeSecret now gets in, unchecked.
      const config = await rig.client.get<KubeObject & { webhooks: object[] }>(VALIDATING, { name: 'agesecret-operator' });
      await rig.client.replace(VALIDATING, { ...config, webhooks: config.webhooks.map((w) => ({ ...w, failurePolicy: 'Ignore' })) });
      await waitUntil(
        async () =>
          rig.client.create(AGESECRETS, badBody, { namespace }).then(
            () => true,
            () => false,
          ),
        {
          message: 'the bad AgeSecret stored under Ignore',
          timeoutMs: 60_000,
        },
      );
    } finally {
      process.kill(rig.agesecret.pid, 'SIGCONT');
    }
    // Back: the condition refuses what admission missed, and capstan has put its policy (Fail) back.
    await waitUntil(
      async () => {
        const got = await rig.client.get<KubeObject & { status?: { conditions?: Cond[] } }>(AGESECRETS, { namespace, name: bad!.name });
        return got.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False' && c.reason === 'SecretNotOwned');
      },
      { message: 'the slipped-in AgeSecret refused by condition', timeoutMs: 120_000 },
    );
    await rig.agesecret.stop();
    await startAndWaitReady(rig.agesecret);
    const restored = await waitUntil(
      async () => {
        const c = await rig.client.get<KubeObject & { webhooks: { failurePolicy: string }[] }>(VALIDATING, { name: 'agesecret-operator' });
        return c.webhooks.every((w) => w.failurePolicy === 'Fail') ? c : undefined;
      },
      { message: 'failurePolicy Fail restored by the operator', timeoutMs: 60_000 },
    );
    assert.ok(restored);
    const foreign = await rig.client.get<KubeObject & { data?: Record<string, string> }>(SECRETS, { namespace, name: 'foreign' });
    assert.deepEqual(foreign.data ?? {}, {}, 'the foreign Secret untouched');
    recordFigure(
      {
        scenario: 'A1. webhook down (kill -9, SIGSTOP)',
        objects: good.length + 1 + 2 * UNRELATED,
        faults: 'operator kill -9, later SIGSTOP; failurePolicy switched to Ignore while frozen',
        recoveries: `${refusedKilled}/${good.length} AgeSecret writes refused while dead; unrelated ${UNRELATED}/${UNRELATED} + ${UNRELATED}/${UNRELATED} ok; frozen refusal after ${(frozenRefusalMs / 1000).toFixed(1)} s; slipped-in AgeSecret Ready=False SecretNotOwned; Fail restored`,
        convergeMs: Date.now() - started,
      },
      (line) => t.diagnostic(line),
    );
  });

  test(`certificate rotation under load: ${ROTATIONS} renewals during ${ROTATION_BURST} creates, no failed admission`, async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'rotation', keys);
    const declared = declare(namespace, ROTATION_BURST, 'PLAINTEXT-ROTATION');
    const bodies = await Promise.all(declared.map((d) => ageSecretBody(d, keys)));
    const certOf = async () =>
      (await rig.client.get<KubeObject & { data?: Record<string, string> }>(SECRETS, { namespace: AGESECRET_NS, name: CERT_SECRET }))
        .data?.['tls.crt'];
    const served = new Set<string>([(await certOf())!]);
    let failures: string[] = [];
    let next = 0;
    const started = Date.now();
    // Rotation as a cluster operator asks for it: annotate the Secret; the operator renews (same CA) at its next check.
    const rotating = (async () => {
      for (let i = 0; i < ROTATIONS; i++) {
        await rig.client.patch(
          SECRETS,
          { namespace: AGESECRET_NS, name: CERT_SECRET },
          { metadata: { annotations: { 'capstan.dev/renew': String(i) } } },
        );
        const fresh = await waitUntil(
          async () => {
            const c = await certOf();
            return c && !served.has(c) ? c : undefined;
          },
          { message: `rotation ${i + 1}`, timeoutMs: 60_000 },
        );
        served.add(fresh);
        // Let a few handshakes happen with the new certificate before the next rotation.
        await waitUntil(() => next > ((i + 1) * ROTATION_BURST) / (ROTATIONS + 1), { message: 'creates under way', timeoutMs: 120_000 });
      }
    })();
    const worker = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        await rig.client.create(AGESECRETS, body, { namespace }).catch((e: unknown) => void failures.push(String(e).slice(0, 200)));
      }
    };
    await Promise.all([...Array.from({ length: 8 }, worker), rotating]);
    failures = failures.filter(Boolean);
    assert.deepEqual(failures, [], 'no create failed');
    assert.equal(served.size, ROTATIONS + 1, 'the serving certificate changed each time');
    const { ms, summary } = await waitConverged(
      rig.client,
      { namespaces: [namespace], declared },
      { failFast: () => !rig.agesecret.running },
    );
    assert.equal(summary.secrets, ROTATION_BURST);
    recordFigure(
      {
        scenario: 'A2. certificate rotation under load',
        objects: ROTATION_BURST,
        faults: `${ROTATIONS} serving-certificate renewals (Secret annotated capstan.dev/renew; the operator renews, same CA) during the burst`,
        recoveries: `0 failed admissions of ${ROTATION_BURST}; ${served.size} certificates served`,
        convergeMs: Math.max(ms, Date.now() - started),
      },
      (line) => t.diagnostic(line),
    );
  });
});
