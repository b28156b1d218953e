// The AgeSecret burst's update and delete phases: the operator's own requests per object when values change and when AgeSecrets go.
import type { KubeClient } from 'capstan';
import { AGESECRETS, encryptValues, isReady, SECRETS, type AgeSecretObject } from '../agesecret-fixtures.js';
import type { BenchOperator } from '../operator-process.js';
import { runPool } from '../pool.js';
import { WatchTracker } from '../watch-tracker.js';

export interface LifecycleOptions {
  client: KubeClient;
  namespace: string;
  /** The AgeSecrets of the create phase, all Ready (each named like its Secret). */
  names: readonly string[];
  recipient: string;
  concurrency: number;
  operator: BenchOperator;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface LifecyclePhase {
  spanMs: number;
  /** The operator's requests per object by verb, from its own client metrics (watches excluded). */
  operatorRequestsPerObject: Record<string, number>;
  operatorRequestsTotalPerObject: number;
  /** The requests an ideal operator needs per object in this phase. */
  floor: number;
}

export interface LifecycleFigures {
  update: LifecyclePhase;
  delete: LifecyclePhase;
}

/** The operator's API requests so far by verb, read from its /metrics (capstan's client histogram counts). */
export function parseOperatorRequests(metricsText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('capstan_api_request_duration_seconds_count{')) continue;
    const verb = /verb="([^"]*)"/.exec(line)?.[1];
    if (!verb || verb === 'watch') continue;
    out[verb] = (out[verb] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

async function operatorRequests(operator: BenchOperator): Promise<Record<string, number>> {
  const { status, text } = await operator.fetch('/metrics');
  if (status !== 200) throw new Error(`the operator's /metrics answered ${status}`);
  return parseOperatorRequests(text);
}

function perObjectDelta(before: Record<string, number>, after: Record<string, number>, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [verb, count] of Object.entries(after)) {
    const delta = count - (before[verb] ?? 0);
    if (delta > 0) out[verb] = Number((delta / n).toFixed(3));
  }
  return out;
}

async function measured(o: LifecycleOptions, floor: number, run: () => Promise<void>): Promise<LifecyclePhase> {
  const before = await operatorRequests(o.operator);
  const started = performance.now();
  await run();
  const spanMs = Math.round(performance.now() - started);
  const byVerb = perObjectDelta(before, await operatorRequests(o.operator), o.names.length);
  const total = Number(
    Object.values(byVerb)
      .reduce((a, b) => a + b, 0)
      .toFixed(3),
  );
  return { spanMs, operatorRequestsPerObject: byVerb, operatorRequestsTotalPerObject: total, floor };
}

/**
 * Updates every AgeSecret's value (floor: the Secret's update and the status patch, 2), then deletes every
 * AgeSecret (floor: 0, garbage collection removes the Secrets). Each phase ends when the watch shows it done.
 */
export async function runLifecycle(o: LifecycleOptions): Promise<LifecycleFigures> {
  const { client, namespace, names } = o;
  o.log(`lifecycle n=${names.length}: encrypting new values`);
  const values = await encryptValues(o.recipient, names.length);
  const updated = new WatchTracker<AgeSecretObject>({
    client,
    ref: AGESECRETS,
    namespace,
    states: { updated: (obj, type) => type !== 'DELETED' && (obj.metadata.generation ?? 0) >= 2 && isReady(obj) },
  });
  const wanted = new Set(names);
  const gone = new WatchTracker({
    client,
    ref: SECRETS,
    namespace,
    states: { gone: (obj, type) => type === 'DELETED' && wanted.has(obj.metadata.name ?? '') },
  });
  await Promise.all([updated.start(), gone.start()]);
  try {
    o.log(`lifecycle n=${names.length}: updating every value`);
    const update = await measured(o, 2, async () => {
      await runPool(names, o.concurrency, async (name, i) => {
        await client.patch(AGESECRETS, { namespace, name }, { spec: { secret: values[i] } });
      });
      await updated.waitForCount('updated', names.length, o.timeoutMs);
    });
    o.log(`lifecycle n=${names.length}: deleting every AgeSecret`);
    const removal = await measured(o, 0, async () => {
      await runPool(names, o.concurrency, async (name) => {
        await client.delete(AGESECRETS, { namespace, name });
      });
      await gone.waitForCount('gone', names.length, o.timeoutMs);
    });
    return { update, delete: removal };
  } finally {
    await Promise.all([updated.stopped(), gone.stopped()]);
  }
}
