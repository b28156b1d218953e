// The AgeSecret operator's own Prometheus metrics (on capstan's registry): decryptions, refusals, AgeSecrets by Ready.
import { getCondition } from 'capstan';
import type { OperatorMetrics } from 'capstan/production';
import type { AgeSecret } from './resource.js';

/** What the reconciler reports; labels are namespaces and reasons only, never names or values. */
export interface AgeSecretMetrics {
  /** An AgeSecret's values were decrypted (once per reconcile that decrypted, whatever the number of values). */
  decrypted(namespace: string): void;
  /** A reconcile ended refused (Ready=False), by the condition's reason. */
  refused(namespace: string, reason: string): void;
}

/** The gauge's key of an AgeSecret: its namespace and its Ready status for the current generation. */
export function readyKey(obj: AgeSecret): string {
  const ready = getCondition(obj.status?.conditions, 'Ready');
  const status = ready && ready.observedGeneration === obj.metadata.generation ? ready.status : 'Unknown';
  return `${obj.metadata.namespace ?? ''}\u0000${status}`;
}

/** The series of `agesecret_agesecrets` from the counts per readyKey. */
export function readySeries(counts: Iterable<[string, number]>): { labels: { namespace: string; ready: string }; value: number }[] {
  return [...counts].map(([key, value]) => {
    const [namespace = '', ready = 'Unknown'] = key.split('\u0000');
    return { labels: { namespace, ready }, value };
  });
}

/** Registers the metrics; `readyCounts` gives the cached AgeSecrets per readyKey at scrape time. */
export function registerAgeSecretMetrics(metrics: OperatorMetrics, readyCounts: () => Iterable<[string, number]>): AgeSecretMetrics {
  const decryptions = metrics.counter({
    name: 'agesecret_decryptions_total',
    help: 'AgeSecrets decrypted (reconciles that decrypted their values), by namespace.',
    labelNames: ['namespace'],
  });
  const refusals = metrics.counter({
    name: 'agesecret_refusals_total',
    help: 'Reconciles that refused an AgeSecret (Ready=False), by namespace and reason.',
    labelNames: ['namespace', 'reason'],
  });
  metrics.gauge({
    name: 'agesecret_agesecrets',
    help: 'AgeSecrets by namespace and Ready status for their current generation (True, False, Unknown).',
    labelNames: ['namespace', 'ready'],
    collect: () => readySeries(readyCounts()),
  });
  return {
    decrypted: (namespace) => decryptions.inc({ namespace }),
    refused: (namespace, reason) => refusals.inc({ namespace, reason }),
  };
}
