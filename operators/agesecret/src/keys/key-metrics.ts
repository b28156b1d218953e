// Metrics of cluster-held keys (labels: namespace only): the current key's age and the retiring keys still held.
import type { OperatorMetrics } from 'capstan/production';

/** What the key keeper reports per managed namespace; `forget` when the namespace is no longer managed. */
export interface KeyMetrics {
  observed(namespace: string, state: { created: number | undefined; retiring: number }): void;
  forget(namespace: string): void;
}

/** The gauges' series from the last observed state per namespace (key age computed at scrape time). */
export function keySeries(
  states: ReadonlyMap<string, { created: number | undefined; retiring: number }>,
  now: number,
): { age: { labels: { namespace: string }; value: number }[]; retiring: { labels: { namespace: string }; value: number }[] } {
  const entries = [...states];
  return {
    age: entries.flatMap(([namespace, s]) =>
      s.created === undefined ? [] : [{ labels: { namespace }, value: Math.max(0, Math.round((now - s.created) / 1000)) }],
    ),
    retiring: entries.map(([namespace, s]) => ({ labels: { namespace }, value: s.retiring })),
  };
}

/** Registers `agesecret_key_age_seconds` and `agesecret_retiring_keys`. */
export function registerKeyMetrics(metrics: OperatorMetrics, now: () => number = Date.now): KeyMetrics {
  const states = new Map<string, { created: number | undefined; retiring: number }>();
  metrics.gauge({
    name: 'agesecret_key_age_seconds',
    help: 'Age of the current cluster-held key (the newest identity new encryptions use), by namespace.',
    labelNames: ['namespace'],
    collect: () => keySeries(states, now()).age,
  });
  metrics.gauge({
    name: 'agesecret_retiring_keys',
    help: 'Retiring identities of cluster-held keys, kept for decryption until no AgeSecret needs them, by namespace.',
    labelNames: ['namespace'],
    collect: () => keySeries(states, now()).retiring,
  });
  return {
    observed: (namespace, state) => states.set(namespace, state),
    forget: (namespace) => states.delete(namespace),
  };
}
