// Hostile input and secret hygiene: 1,000 malformed AgeSecrets and hostile pods never crash the operators, each gets a
// clear condition/Event, good objects keep converging; and no plaintext reaches logs, Events, status or metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encryptValue } from '@capstan/agesecret';
import { InvalidError, type KubeObject } from 'capstan';
import fc from 'fast-check';
import { recordFigure } from './figures.js';
import { leakFinder } from './hygiene.js';
import { hostileAnnotations, malformedAgeSecret, type Material } from './malformed.js';
import { HANDSHAKE_NS, startAndWaitReady, startRig, type Rig } from './rig.js';
import { waitConverged } from './state-check.js';
import { waitUntil } from 'capstan/testing';
import {
  AGESECRETS,
  ageSecretBody,
  b64,
  createNamespaceWithKey,
  createPlainNamespace,
  declare,
  EVENTS,
  legacyPod,
  newKeys,
  PODS,
  retrying,
  SECRETS,
  uniqueName,
  type Declared,
  type Keys,
} from './workload.js';

const BAD_AGESECRETS = Number(process.env.FAULTS_BAD_AGESECRETS ?? 1000);
const BAD_PODS = Number(process.env.FAULTS_BAD_PODS ?? 200);
const GOOD = 40;
const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
const MARK = 'PLAINTEXT';
const KEY_HALF = `LEGACYKEYHALF-${uniqueName('k')}`;
const SUFFIX = `-LEGACYSUFFIX-${uniqueName('s')}`;

type Cond = { type: string; status: string; reason?: string; message?: string; observedGeneration?: number };
type AgeSecretObj = KubeObject & { status?: { conditions?: Cond[] } };
type EventObj = KubeObject & {
  type?: string;
  reason?: string;
  message?: string;
  note?: string;
  involvedObject?: { name?: string; kind?: string };
};

describe('hostile input and secret hygiene', { timeout: 3_600_000 }, () => {
  let rig: Rig;
  let keys: Keys;
  const plaintexts: string[] = [];
  const good: Declared[] = [];
  let goodNs: string;
  let podNs: string;

  before(async () => {
    rig = await startRig({ handshake: true });
    keys = await newKeys();
    // The handshake's shared secret carries markers too: the suffix (Secret) and the legacy app's key half.
    await rig.client.patch(
      SECRETS,
      { namespace: HANDSHAKE_NS, name: 'legacy-handshake-suffix' },
      { data: { suffix: b64(SUFFIX) } },
      { type: 'merge' },
    );
    plaintexts.push(KEY_HALF, SUFFIX);
    await Promise.all([startAndWaitReady(rig.agesecret), startAndWaitReady(rig.handshake!)]);
  });

  after(async () => {
    await rig?.close();
  });

  test(`${BAD_AGESECRETS} malformed AgeSecrets and ${BAD_PODS} hostile pods (fast-check seed ${SEED}): no crash, each told why, the rest converges`, async (t) => {
    const crashed = () => !rig.agesecret.running || !rig.handshake!.running;
    const badNs = await createNamespaceWithKey(rig.client, 'bad', keys);
    goodNs = await createNamespaceWithKey(rig.client, 'good', keys);
    podNs = await createPlainNamespace(rig.client, 'hostile-pods');
    await rig.client.create(
      SECRETS,
      {
        metadata: { name: 'garbage-key', namespace: badNs },
        stringData: { secretKey: 'AGE-SECRET-KEY-1GARBAGEGARBAGE\nnot a key' },
      } as unknown as KubeObject,
      { namespace: badNs },
    );
    await rig.client.create(
      SECRETS,
      { metadata: { name: 'no-field-key', namespace: badNs }, stringData: { other: 'x' } } as unknown as KubeObject,
      { namespace: badNs },
    );
    const material: Material = {
      good: await encryptValue(`${MARK}-MATERIAL-${uniqueName('m')}`, { recipients: [keys.recipient] }),
      foreign: await encryptValue(`${MARK}-FOREIGN-${uniqueName('f')}`, { recipients: [(await newKeys()).recipient] }),
      plaintext: () => `${MARK}-BAD-${uniqueName('p')}`,
    };
    const cases = fc.sample(malformedAgeSecret(material), { numRuns: BAD_AGESECRETS, seed: SEED });
    const podAnnotations = fc.sample(hostileAnnotations, { numRuns: BAD_PODS, seed: SEED + 1 });
    good.push(...declare(goodNs, GOOD, `${MARK}-GOOD`));
    plaintexts.push(...good.map((d) => d.value));

    // Malformed and good objects interleaved, so the good ones are queued behind (and among) the bad ones.
    const refused: string[] = [];
    const admitted: string[] = [];
    const byMutation = new Map<string, number>();
    const queue: (() => Promise<void>)[] = [];
    const step = Math.max(1, Math.ceil(BAD_AGESECRETS / GOOD));
    const createGood = (d: Declared) => async () => {
      await retrying(async () => rig.client.create(AGESECRETS, await ageSecretBody(d, keys), { namespace: goodNs }));
    };
    cases.forEach((c, i) => {
      for (const m of c.mutations) byMutation.set(m, (byMutation.get(m) ?? 0) + 1);
      queue.push(async () => {
        const name = `bad-${i}`;
        try {
          await retrying(() =>
            rig.client.create(
              AGESECRETS,
              { apiVersion: 'pyvo.io/v1', kind: 'AgeSecret', metadata: { name, namespace: badNs }, spec: c.spec } as KubeObject,
              { namespace: badNs },
            ),
          );
          admitted.push(name);
        } catch (error) {
          if (!(error instanceof InvalidError)) throw error;
          refused.push(name);
        }
      });
      const d = i % step === 0 ? good[i / step] : undefined;
      if (d) queue.push(createGood(d));
    });
    for (const d of good.slice(Math.ceil(cases.length / step))) queue.push(createGood(d));
    const workers = Array.from({ length: 8 }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    });
    // Hostile pods are bound to a node no kubelet serves and given a Running status on an address nobody listens on.
    const node = uniqueName('faults-fake-node');
    await rig.client.create({ version: 'v1', plural: 'nodes' }, { metadata: { name: node } });
    const refusedPods: string[] = [];
    const admittedPods: string[] = [];
    const pods = (async () => {
      for (const [i, annotations] of podAnnotations.entries()) {
        const name = `hostile-${i}`;
        const body = legacyPod(podNs, name, { annotations }) as KubeObject & { spec: Record<string, unknown> };
        body.spec.nodeName = node;
        body.spec.tolerations = [{ operator: 'Exists' }];
        try {
          await retrying(() => rig.client.create(PODS, body, { namespace: podNs }));
        } catch (error) {
          if (!(error instanceof InvalidError)) throw error;
          refusedPods.push(name);
          continue;
        }
        admittedPods.push(name);
        await retrying(() =>
          rig.client.patchStatus(
            PODS,
            { namespace: podNs, name },
            {
              status: {
                phase: 'Running',
                podIP: `127.254.${(i >> 8) & 255}.${i & 255 || 1}`,
                containerStatuses: [
                  {
                    name: 'legacy-mock',
                    ready: true,
                    restartCount: 0,
                    image: 'legacy-mock',
                    imageID: '',
                    state: { running: { startedAt: new Date().toISOString() } },
                  },
                ],
              },
            },
            { type: 'merge' },
          ),
        );
      }
    })();
    // Three real legacy apps (kubelet simulator) with marker secrets must still be handshaken.
    for (let i = 0; i < 3; i++) {
      await retrying(() =>
        rig.client.create(PODS, legacyPod(goodNs, `legacy-${i}`, { env: { LEGACY_KEY_HALF: KEY_HALF, LEGACY_SUFFIX: SUFFIX } }), {
          namespace: goodNs,
        }),
      );
    }
    const started = Date.now();
    await Promise.all([...workers, pods]);
    const { ms } = await waitConverged(
      rig.client,
      { namespaces: [goodNs], declared: good, podNamespaces: [goodNs] },
      { failFast: crashed },
    );

    // Every admitted malformed AgeSecret: Ready=False for its generation, with a reason and a message, and a Warning Event.
    let lastMissing: string[] = [];
    await waitUntil(
      async () => {
        const list = await rig.client.list<AgeSecretObj>(AGESECRETS, { namespace: badNs, limit: 500 });
        const events = (await rig.client.list<EventObj>(EVENTS, { namespace: badNs, limit: 500 })).items;
        const warned = new Set(events.filter((e) => e.type === 'Warning').map((e) => e.involvedObject?.name));
        lastMissing = [];
        for (const obj of list.items) {
          const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
          const told =
            ready?.status === 'False' && ready.observedGeneration === obj.metadata.generation && !!ready.reason && !!ready.message;
          if (!told || !warned.has(obj.metadata.name))
            lastMissing.push(
              `${obj.metadata.name} (${ready ? `${ready.status} ${ready.reason}` : 'no condition'}${warned.has(obj.metadata.name) ? '' : ', no Warning Event'})`,
            );
        }
        return list.items.length === admitted.length && lastMissing.length === 0;
      },
      {
        timeoutMs: 900_000,
        intervalMs: 2000,
        message: 'every malformed AgeSecret to have Ready=False with a reason and a Warning Event',
        failFast: crashed,
        progress: () => `${lastMissing.length} not yet told, e.g. ${lastMissing.slice(0, 5).join('; ')}`,
      },
    );
    // Every admitted hostile pod: a Warning Event, and never marked done.
    let podsMissing: string[] = [];
    await waitUntil(
      async () => {
        const events = (await rig.client.list<EventObj>(EVENTS, { namespace: podNs, limit: 500 })).items;
        const warned = new Set(events.filter((e) => e.type === 'Warning').map((e) => e.involvedObject?.name));
        podsMissing = admittedPods.filter((n) => !warned.has(n));
        return podsMissing.length === 0;
      },
      {
        timeoutMs: 600_000,
        intervalMs: 2000,
        message: 'a Warning Event on every hostile pod',
        failFast: crashed,
        progress: () => `${podsMissing.length} pods without one, e.g. ${podsMissing.slice(0, 5).join(', ')}`,
      },
    );
    const done = (await rig.client.list(PODS, { namespace: podNs })).items.filter(
      (p) => p.metadata.annotations?.['secret-handshake-done'] === 'true',
    );
    assert.deepEqual(
      done.map((p) => p.metadata.name),
      [],
      'no hostile pod is marked handshaken',
    );
    // The good ones still hold (nothing regressed while the operators chewed on the bad ones).
    await waitConverged(
      rig.client,
      { namespaces: [goodNs], declared: good, podNamespaces: [goodNs] },
      { timeoutMs: 120_000, failFast: crashed },
    );
    assert.equal(rig.agesecret.counts.starts, 1);
    assert.ok(rig.agesecret.running && rig.handshake!.running, 'neither operator crashed');
    const reasons = new Map<string, number>();
    for (const obj of (await rig.client.list<AgeSecretObj>(AGESECRETS, { namespace: badNs, limit: 500 })).items) {
      const r = obj.status?.conditions?.find((c) => c.type === 'Ready')?.reason ?? '?';
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    t.diagnostic(`mutations: ${JSON.stringify(Object.fromEntries(byMutation))}`);
    t.diagnostic(`Ready reasons of malformed AgeSecrets: ${JSON.stringify(Object.fromEntries(reasons))}`);
    recordFigure(
      {
        scenario: '6. property-based bad input',
        objects: BAD_AGESECRETS + BAD_PODS + GOOD + 3,
        faults: `${BAD_AGESECRETS} malformed AgeSecrets (${refused.length} refused by the API server, ${admitted.length} admitted), ${BAD_PODS} hostile pods (${refusedPods.length} refused); seed ${SEED}`,
        recoveries: `0 operator crashes; ${admitted.length} conditions + Events, ${admittedPods.length} pod Warnings; ${GOOD} good AgeSecrets + 3 pods converged`,
        convergeMs: Date.now() - started,
        goodConvergedMs: ms,
        reasons: JSON.stringify(Object.fromEntries(reasons)),
      },
      (line) => t.diagnostic(line),
    );
    plaintexts.push(MARK);
  });

  test('secret hygiene: no plaintext marker in logs, Events, status, metrics or error messages', async (t) => {
    assert.ok(plaintexts.length > 2, 'the bad-input run left markers to look for');
    const needles = [...new Set([...plaintexts, ...plaintexts.filter((p) => p.length > 12).map((p) => b64(p))])];
    const { look, leaks } = leakFinder(needles);
    // Positive control: the markers are really in the Secrets the operator wrote (so the search would find them).
    const secret = await rig.client.get<KubeObject & { data?: Record<string, string> }>(SECRETS, {
      namespace: goodNs,
      name: good[0]!.secretName,
    });
    assert.ok(
      Buffer.from(secret.data?.value ?? '', 'base64')
        .toString()
        .includes(MARK),
      'positive control: the Secret holds the marker',
    );

    look('agesecret-operator log', rig.agesecret.log());
    look('legacy-handshake-operator log', rig.handshake!.log());
    const events = (await rig.client.list<EventObj>(EVENTS, { limit: 500 })).items;
    for (const e of events)
      look(`Event ${e.metadata.namespace}/${e.metadata.name} (${e.reason})`, JSON.stringify({ r: e.reason, m: e.message, n: e.note }));
    const ageSecrets = (await rig.client.list<AgeSecretObj>(AGESECRETS, { limit: 500 })).items;
    for (const a of ageSecrets) look(`status of ${a.metadata.namespace}/${a.metadata.name}`, JSON.stringify(a.status ?? {}));
    const podList = (await rig.client.list(PODS, { namespace: goodNs })).items as (KubeObject & { status?: unknown })[];
    for (const p of podList)
      look(`status/annotations of pod ${p.metadata.name}`, JSON.stringify({ s: p.status, a: p.metadata.annotations }));
    const scraped: string[] = [];
    for (const proc of [rig.agesecret, rig.handshake!]) {
      const metrics = await proc.fetch('/metrics');
      if (metrics.status === 200) {
        scraped.push(`${proc.options.name} (${metrics.text.split('\n').length} lines)`);
        look(`${proc.options.name} /metrics`, metrics.text);
      } else {
        t.diagnostic(`${proc.options.name} serves no /metrics (HTTP ${metrics.status})`);
      }
    }
    // Both operators run capstan's probe server, so both /metrics are searched; a missing one is a failure.
    assert.equal(scraped.length, 2, `both operators serve /metrics (got: ${scraped.join(', ') || 'none'})`);
    assert.deepEqual(leaks.slice(0, 20), [], `${leaks.length} leaks`);
    recordFigure(
      {
        scenario: '7. secret hygiene',
        objects: ageSecrets.length + podList.length,
        faults: `${needles.length} markers (plain and base64) from ${plaintexts.length} plaintexts`,
        recoveries: `searched 2 operator logs (${rig.agesecret.log().length + rig.handshake!.log().length} bytes), ${events.length} Events, ${ageSecrets.length} statuses, /metrics of ${scraped.join(', ') || 'none'}`,
        convergeMs: 0,
      },
      (line) => t.diagnostic(line),
    );
  });
});
