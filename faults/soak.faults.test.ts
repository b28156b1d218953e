// Soak: continuous churn (creates, updates, deletes, key rotations, pod replacements) against both operators as
// processes; RSS, open descriptors, event-loop lag and API request rate sampled and charted; no upward trend of
// memory or descriptors beyond the bound, every object converged at the end. FAULTS_SOAK_MS sets the length.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordFigure } from './figures.js';
import { REPO_ROOT } from './repo.js';
import { startAndWaitReady, startRig, type Rig } from './rig.js';
import { SoakChurn } from './soak-churn.js';
import { apiSeries, readingSeries, soakChartSvg, soakPanels } from './soak-chart.js';
import { SoakSampler, soakJson } from './soak-sampler.js';
import { trendVerdict, type TrendBound } from './soak-trend.js';
import { waitConverged } from './state-check.js';

const SOAK_MS = Number(process.env.FAULTS_SOAK_MS ?? 180_000);
const SAMPLE_MS = Number(process.env.FAULTS_SOAK_SAMPLE_MS ?? 5000);
const WRITES_PER_SEC = Number(process.env.FAULTS_SOAK_RATE ?? 2);
const NAME = `soak-${Math.round(SOAK_MS / 60_000)}min`;

/** The bounds (RELIABILITY.md says why): the rise the second half's least-squares line implies across that half. */
export const RSS_BOUND: TrendBound = { absolute: 8, relative: 0.1 };
export const FDS_BOUND: TrendBound = { absolute: 4, relative: 0 };

const OPERATORS = ['agesecret', 'legacy-handshake'] as const;

const round = (v: number, digits = 2) => Number(v.toFixed(digits));
const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;
};

describe('soak', { timeout: SOAK_MS + 1_800_000 }, () => {
  let rig: Rig;

  before(async () => {
    rig = await startRig({ handshake: true });
    await Promise.all([startAndWaitReady(rig.agesecret), startAndWaitReady(rig.handshake!)]);
  });

  after(async () => {
    await rig?.close();
  });

  test(`soak of ${SOAK_MS / 60_000} min: ${WRITES_PER_SEC} writes/s, key rotations, pod replacements; no growth, all converged`, async (t) => {
    const alive = () => rig.agesecret.running && rig.handshake!.running;
    const failFast = () => !alive();
    const churn = new SoakChurn(rig.client, {
      namespaces: 4,
      initial: 20,
      min: 10,
      max: 40,
      pods: 2,
      writesPerSec: WRITES_PER_SEC,
      rotateEveryMs: 40_000,
      podEveryMs: 30_000,
    });
    await churn.setup();
    const expectation = () => ({ namespaces: churn.namespaces, declared: churn.declared, podNamespaces: [churn.podNamespace] });
    await waitConverged(rig.client, expectation(), { failFast });

    const watched = [
      { name: 'agesecret', proc: rig.agesecret },
      { name: 'legacy-handshake', proc: rig.handshake! },
    ].map(({ name, proc }) => ({ name, pid: () => proc.pid, metrics: async () => (await proc.fetch('/metrics')).text }));
    const sampler = new SoakSampler(watched, rig.cluster.kubeconfigPath, SAMPLE_MS).start();
    await churn.run(SOAK_MS).finally(() => sampler.stop());
    const samples = sampler.samples;
    assert.ok(alive(), `both operators ran the whole soak (agesecret: ${rig.agesecret.describeExit() ?? 'running'})`);
    const { ms, summary } = await waitConverged(rig.client, expectation(), { failFast });

    const verdicts = Object.fromEntries(
      OPERATORS.flatMap((op) => [
        [`${op} rss`, trendVerdict(readingSeries(samples, op, 'rssMb'), RSS_BOUND)],
        [`${op} fds`, trendVerdict(readingSeries(samples, op, 'fds'), FDS_BOUND)],
      ]),
    );
    const lag = (op: string) => readingSeries(samples, op, 'lagP99Ms').map((p) => p.value);
    const api = apiSeries(samples);
    const minutes = round(SOAK_MS / 60_000, 1);
    const figures = {
      minutes,
      samples: samples.length,
      ...churn.counts,
      ...Object.fromEntries(
        OPERATORS.flatMap((op) => {
          const rss = readingSeries(samples, op, 'rssMb').map((p) => p.value);
          const fds = readingSeries(samples, op, 'fds').map((p) => p.value);
          const rv = verdicts[`${op} rss`]!;
          const fv = verdicts[`${op} fds`]!;
          return [
            [`${op}RssMb`, `${Math.min(...rss)}-${Math.max(...rss)}`],
            [`${op}RssSlopeMbPerMin`, round(rv.slopePerMin, 3)],
            [`${op}RssRiseMb`, `${round(rv.rise)} (allowed ${round(rv.allowed)})`],
            [`${op}Fds`, `${Math.min(...fds)}-${Math.max(...fds)}`],
            [`${op}FdsRise`, `${round(fv.rise)} (allowed ${round(fv.allowed)})`],
            [`${op}LagP99Ms`, `median ${percentile(lag(op), 0.5)}, max ${Math.max(0, ...lag(op))}`],
          ];
        }),
      ),
      apiPerSec: `median ${percentile(
        api.map((p) => p.value),
        0.5,
      )}, max ${Math.max(0, ...api.map((p) => p.value))}`,
    };

    const dir = join(REPO_ROOT, 'faults', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${NAME}.json`), soakJson({ at: new Date().toISOString(), figures, verdicts }, samples));
    writeFileSync(
      join(dir, `${NAME}.svg`),
      soakChartSvg(
        soakPanels(samples, OPERATORS),
        `soak of ${minutes} min, ${WRITES_PER_SEC} AgeSecret writes/s, both operators; ${new Date().toISOString().slice(0, 10)}`,
      ),
    );

    recordFigure(
      {
        scenario: `soak ${minutes} min`,
        objects: churn.declared.length,
        faults: `${churn.counts.creates} creates, ${churn.counts.updates} updates, ${churn.counts.deletes} deletes, ${churn.counts.rotations} key rotations (${churn.counts.reencrypted} re-encrypted), ${churn.counts.podReplacements} pod replacements`,
        recoveries: `${summary.ageSecrets} AgeSecrets, ${summary.secrets} Secrets, ${summary.pods} pods converged`,
        convergeMs: ms,
        ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v])),
      },
      (line) => t.diagnostic(line),
    );
    t.diagnostic(JSON.stringify(figures));
    for (const [what, v] of Object.entries(verdicts)) {
      assert.ok(
        v.ok,
        `${what}: rises ${round(v.rise)} over the second half (slope ${round(v.slopePerMin, 3)}/min), allowed ${round(v.allowed)}`,
      );
    }
  });
});
