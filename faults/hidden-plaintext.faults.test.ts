// Hidden plaintext on the new paths: with cluster-held keys (renewed and retired during the run) and rollouts on
// change, no value and no identity reaches AgeSecret status, the recipients ConfigMap, the key Secret's annotations,
// the workloads' hash annotations, /metrics, Events or the operator's log; the hash is never a plain hash of the data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import { recordFigure } from './figures.js';
import { isPlainHash, leakFinder } from './hygiene.js';
import {
  backdateKey,
  CONFIGMAPS,
  createManagedNamespace,
  KEY_RECORDS,
  keyRecordProblems,
  keySecret,
  lines,
  MANAGED_KEY_SECRET,
  RECIPIENTS_CONFIGMAP,
  waitPublished,
} from './managed-keys.js';
import { startAndWaitReady, startRig, type Rig } from './rig.js';
import { waitConverged } from './state-check.js';
import {
  AGESECRETS,
  ageSecretFor,
  b64,
  declare,
  DEPLOYMENTS,
  deploymentUsing,
  EVENTS,
  retrying,
  SECRETS,
  secretHashAnnotation,
  type Declared,
} from './workload.js';

const COUNT = 8;
const MARK = 'PLAINTEXT';
type AgeSecretObj = KubeObject & { status?: { recipients?: string[]; needsReencryption?: boolean; observedGeneration?: number } };
type SecretObj = KubeObject & { data?: Record<string, string> };
type DeploymentObj = KubeObject & { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };

describe('hidden plaintext with cluster-held keys, renewal and rollouts', { timeout: 1_800_000 }, () => {
  let rig: Rig;
  let ns: string;
  const crashed = () => !rig.agesecret.running;
  const plaintexts: string[] = [];
  const identities = new Set<string>();
  const searched: string[] = [];

  before(async () => {
    rig = await startRig({ featureArgs: ['--managed-keys-label', '--managed-key-retire-grace=0', '--rollouts'] });
    await startAndWaitReady(rig.agesecret);
  });

  after(async () => {
    await rig?.close();
  });

  const apply = async (declared: Declared[], recipients: string[]) => {
    for (const d of declared) {
      const body = await ageSecretFor(d, recipients, MANAGED_KEY_SECRET);
      const existing = await rig.client.tryGet(AGESECRETS, { namespace: ns, name: d.name });
      if (existing)
        await rig.client.patch(
          AGESECRETS,
          { namespace: ns, name: d.name },
          { spec: (body as AgeSecretObj & { spec: object }).spec },
          { type: 'merge' },
        );
      else await retrying(() => rig.client.create(AGESECRETS, body, { namespace: ns }));
    }
    plaintexts.push(...declared.map((d) => d.value));
    return (await waitConverged(rig.client, { namespaces: [ns], declared }, { failFast: crashed })).ms;
  };
  const statuses = async () => (await rig.client.list<AgeSecretObj>(AGESECRETS, { namespace: ns })).items;
  const everyStatus = (message: string, holds: (o: AgeSecretObj) => boolean) =>
    waitUntil(
      async () => ((await statuses()).every((o) => o.status?.observedGeneration === o.metadata.generation && holds(o)) ? true : undefined),
      {
        timeoutMs: 180_000,
        message,
        failFast: crashed,
      },
    );
  /** Every Deployment's hash annotation once it has changed from `before` (each rolled for the current data). */
  const rolledHashes = (before: Map<string, string>) =>
    waitUntil(
      async () => {
        const hashes = new Map<string, string>();
        for (const d of (await rig.client.list<DeploymentObj>(DEPLOYMENTS, { namespace: ns })).items) {
          const secretName = d.metadata.name!.replace(/^app-/, 's-');
          const hash = d.spec?.template?.metadata?.annotations?.[secretHashAnnotation(secretName)];
          if (!hash || hash === before.get(d.metadata.name!)) return undefined;
          hashes.set(d.metadata.name!, hash);
        }
        return hashes.size === COUNT ? hashes : undefined;
      },
      { timeoutMs: 180_000, message: 'every opted-in Deployment rolled for the current data', failFast: crashed },
    );

  /** One search of every new place, and the shape checks: public keys and times, keyed hashes only. */
  const scan = async (phase: string) => {
    const needles = [...new Set([...plaintexts, ...plaintexts.map(b64), ...identities, 'AGE-SECRET-KEY-1'])];
    const { look, leaks } = leakFinder(needles);
    const shape: string[] = [];
    for (const a of await statuses()) {
      look(`status of ${a.metadata.name}`, JSON.stringify(a.status ?? {}));
      for (const r of a.status?.recipients ?? [])
        if (!r.startsWith('age1')) shape.push(`${a.metadata.name}: status recipient ${r.slice(0, 12)}`);
    }
    const cm = await rig.client.get<KubeObject & { data?: Record<string, string> }>(CONFIGMAPS, {
      namespace: ns,
      name: RECIPIENTS_CONFIGMAP,
    });
    look('ConfigMap agesecret-recipients', JSON.stringify(cm));
    for (const [k, v] of Object.entries(cm.data ?? {}))
      if (!['recipients', 'retiring'].includes(k) || lines(v).some((l) => !l.startsWith('age1'))) shape.push(`ConfigMap key ${k}`);
    const key = (await keySecret(rig.client, ns)).secret;
    look('key Secret metadata', JSON.stringify(key.metadata));
    shape.push(...keyRecordProblems(key.metadata.annotations?.[KEY_RECORDS]).map((p) => `key-records: ${p}`));
    for (const d of (await rig.client.list<DeploymentObj>(DEPLOYMENTS, { namespace: ns })).items) {
      look(`Deployment ${d.metadata.name}`, JSON.stringify(d));
      const secretName = d.metadata.name!.replace(/^app-/, 's-');
      const hash = d.spec?.template?.metadata?.annotations?.[secretHashAnnotation(secretName)] ?? '';
      const secret = await rig.client.get<SecretObj>(SECRETS, { namespace: ns, name: secretName });
      if (isPlainHash(hash, secret.data ?? {})) shape.push(`Deployment ${d.metadata.name}: a plain hash of the data`);
    }
    const metrics = await rig.agesecret.fetch('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /agesecret_key_age_seconds/);
    look('/metrics', metrics.text);
    const events = (await rig.client.list<KubeObject>(EVENTS, { limit: 500 })).items;
    for (const e of events) look(`Event ${e.metadata.namespace}/${e.metadata.name}`, JSON.stringify(e));
    look('operator log', rig.agesecret.log());
    searched.push(`${phase}: ${needles.length} needles, ${events.length} Events, ${rig.agesecret.log().length} log bytes`);
    assert.deepEqual(shape, [], `${phase}: only public keys, times and keyed hashes`);
    assert.deepEqual(leaks.slice(0, 20), [], `${phase}: ${leaks.length} leaks`);
  };

  test('values and identities stay hidden through key renewal, re-encryption, retirement and rollouts', async (t) => {
    const started = Date.now();
    const managed = await createManagedNamespace(rig.client, 'hidden', crashed);
    ns = managed.namespace;
    const first = managed.recipients;
    for (const id of (await keySecret(rig.client, ns)).identities) identities.add(id);
    // Short values too: a plain hash of one would be guessable offline.
    const declared = declare(ns, COUNT, `${MARK}-HIDDEN`).map((d, i) => (i === 0 ? { ...d, value: `${MARK}-4821` } : d));
    for (let i = 0; i < COUNT; i++)
      await retrying(() => rig.client.create(DEPLOYMENTS, deploymentUsing(ns, `app-${i}`, `s-${i}`), { namespace: ns }));
    await apply(declared, first);
    const firstHashes = await rolledHashes(new Map());
    await everyStatus(
      'status.recipients published, nothing to re-encrypt',
      (o) => o.status?.recipients?.join() === first.join() && o.status.needsReencryption === false,
    );
    // Positive control: the marker is really in a Secret the operator wrote (so the search would find it).
    const s0 = await rig.client.get<SecretObj>(SECRETS, { namespace: ns, name: 's-1' });
    assert.ok(
      Buffer.from(s0.data?.['value'] ?? '', 'base64')
        .toString()
        .startsWith(MARK),
      'positive control',
    );
    await scan('before renewal');

    // Renewal, made due by backdating the key's records: a second identity, the first retiring.
    await backdateKey(rig.client, ns);
    const renewed = await waitPublished(rig.client, ns, (d) => lines(d['retiring']).join() === first.join(), crashed);
    const second = lines(renewed['recipients']);
    assert.notDeepEqual(second, first);
    for (const id of (await keySecret(rig.client, ns)).identities) identities.add(id);
    assert.equal(identities.size, 2, 'the key Secret holds both identities');
    await everyStatus(
      'every AgeSecret told to re-encrypt',
      (o) => o.status?.recipients?.join() === second.join() && o.status.needsReencryption === true,
    );
    await scan('renewed, old key retiring');

    // updatekeys with new values: Secrets change, Deployments roll, the old identity retires.
    const next = declare(ns, COUNT, `${MARK}-RENEWED`);
    await apply(next, second);
    const secondHashes = await rolledHashes(firstHashes);
    await everyStatus('nothing to re-encrypt', (o) => o.status?.needsReencryption === false);
    await waitUntil(async () => ((await keySecret(rig.client, ns)).recipients.join() === second.join() ? true : undefined), {
      timeoutMs: 180_000,
      message: 'the old identity retired',
      failFast: crashed,
    });
    await waitPublished(rig.client, ns, (d) => d['retiring'] === undefined, crashed);
    await waitUntil(
      async () =>
        (await rig.client.list<KubeObject & { reason?: string }>(EVENTS, { limit: 500 })).items.some((e) => e.reason === 'KeyRetired'),
      { timeoutMs: 120_000, message: 'a KeyRetired Event', failFast: crashed },
    );
    await scan('after retirement');
    assert.equal(rig.agesecret.counts.starts, 1, 'the operator never restarted');
    recordFigure(
      {
        scenario: '7b. hidden plaintext on the new paths',
        objects: COUNT * 2 + 2,
        faults: `${plaintexts.length} plaintexts, ${identities.size} identities; 1 renewal, 1 retirement, ${secondHashes.size + firstHashes.size} rollouts`,
        recoveries: searched.join('; '),
        convergeMs: Date.now() - started,
      },
      (line) => t.diagnostic(line),
    );
  });
});
