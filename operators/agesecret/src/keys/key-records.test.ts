// Key records and the renewal/retirement plan: what is due when, and that a needed identity is never retired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from 'capstan';
import {
  currentRecipients,
  formatRecords,
  KEY_RECORDS_ANNOTATION,
  keyFile,
  normaliseRecords,
  parseRecords,
  planKeys,
  recordsAfter,
  retiringRecipients,
  type KeyRecord,
  type KeyPlan,
} from './key-records.js';
import { keySeries } from './key-metrics.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const rec = (recipient: string, created: number, retiring?: number): KeyRecord => ({
  recipient,
  created: at(created),
  ...(retiring !== undefined ? { retiring: at(retiring) } : {}),
});
const secretWith = (annotation?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'k', ...(annotation !== undefined ? { annotations: { [KEY_RECORDS_ANNOTATION]: annotation } } : {}) },
});

test('parseRecords: round trip; malformed annotations and entries are dropped', () => {
  const records = [rec('age1a', T0), rec('age1b', T0 + DAY, T0 + 2 * DAY)];
  assert.deepEqual(parseRecords(secretWith(formatRecords(records))), records);
  const cases: [string, string | undefined, number][] = [
    ['absent', undefined, 0],
    ['not JSON', '{', 0],
    ['not an array', '{"recipient":"age1a"}', 0],
    ['entry without created', '[{"recipient":"age1a"}]', 0],
    ['bad date', '[{"recipient":"age1a","created":"soon"}]', 0],
    ['one good of two', `[{"recipient":1},${JSON.stringify(rec('age1a', T0))}]`, 1],
  ];
  for (const [name, annotation, count] of cases) assert.equal(parseRecords(secretWith(annotation)).length, count, name);
});

test('normaliseRecords: one record per identity; unknown identities current since first seen; gone ones dropped', () => {
  const recorded = [rec('age1old', T0, T0 + DAY), rec('age1gone', T0)];
  assert.deepEqual(normaliseRecords(recorded, ['age1old', 'age1hand', 'age1hand'], at(T0 + 5 * DAY)), [
    rec('age1old', T0, T0 + DAY),
    rec('age1hand', T0 + 5 * DAY),
  ]);
});

test('current recipients newest first; retiring ones apart', () => {
  const records = [rec('age1a', T0), rec('age1b', T0 + 2 * DAY), rec('age1c', T0 + DAY, T0 + 3 * DAY)];
  assert.deepEqual(currentRecipients(records), ['age1b', 'age1a']);
  assert.deepEqual(retiringRecipients(records), ['age1c']);
});

test('planKeys: renew when due, retire only what nothing needs, recheck when the next renewal falls due', () => {
  const renewalMs = 30 * DAY;
  const cases: [string, KeyRecord[], string[], number, KeyPlan][] = [
    ['young key: nothing, recheck at due time', [rec('age1a', T0)], [], T0 + 10 * DAY, { renew: false, retire: [], recheckMs: DAY }],
    ['due: renew', [rec('age1a', T0)], [], T0 + 30 * DAY, { renew: true, retire: [], recheckMs: DAY }],
    ['no current identity: renew', [rec('age1a', T0, T0)], ['age1a'], T0, { renew: true, retire: [], recheckMs: DAY }],
    [
      'retiring, still needed: kept',
      [rec('age1a', T0, T0 + DAY), rec('age1b', T0 + DAY)],
      ['age1a'],
      T0 + 2 * DAY,
      { renew: false, retire: [], recheckMs: DAY },
    ],
    [
      'retiring, not needed: retired',
      [rec('age1a', T0, T0 + DAY), rec('age1b', T0 + DAY)],
      [],
      T0 + 2 * DAY,
      { renew: false, retire: ['age1a'], recheckMs: DAY },
    ],
    [
      'two retiring, one needed',
      [rec('age1a', T0, T0 + DAY), rec('age1b', T0 + DAY, T0 + 2 * DAY), rec('age1c', T0 + 2 * DAY)],
      ['age1b'],
      T0 + 3 * DAY,
      { renew: false, retire: ['age1a'], recheckMs: DAY },
    ],
    ['due in 5 s', [rec('age1a', T0)], [], T0 + renewalMs - 5000, { renew: false, retire: [], recheckMs: 5000 }],
  ];
  for (const [name, records, needed, now, expected] of cases)
    assert.deepEqual(planKeys({ records, stillNeeded: new Set(needed), now, renewalMs }), expected, name);
  assert.deepEqual(planKeys({ records: [rec('age1a', T0)], stillNeeded: new Set(), now: T0 + 99 * DAY, renewalMs: 0 }), {
    renew: false,
    retire: [],
  });
  assert.deepEqual(planKeys({ records: [rec('age1a', T0)], stillNeeded: new Set(), now: T0 + 3000, renewalMs: 4000 }), {
    renew: false,
    retire: [],
    recheckMs: 1000,
  });
});

test('planKeys: a retiring identity nothing needs stays for the grace period, and the plan rechecks when it ends', () => {
  const renewalMs = 30 * DAY;
  const retireGraceMs = 7 * DAY;
  const records = [rec('age1a', T0, T0 + 30 * DAY), rec('age1b', T0 + 30 * DAY)];
  const plan = (now: number, needed: string[] = []) => planKeys({ records, stillNeeded: new Set(needed), now, renewalMs, retireGraceMs });
  const cases: [string, KeyPlan, KeyPlan][] = [
    ['a day into the grace: kept, recheck capped at a day', plan(T0 + 31 * DAY), { renew: false, retire: [], recheckMs: DAY }],
    [
      'an hour before its end: kept, recheck at its end',
      plan(T0 + 37 * DAY - 3_600_000),
      { renew: false, retire: [], recheckMs: 3_600_000 },
    ],
    ['at its end: retired', plan(T0 + 37 * DAY), { renew: false, retire: ['age1a'], recheckMs: DAY }],
    ['after it, but still needed: kept', plan(T0 + 40 * DAY, ['age1a']), { renew: false, retire: [], recheckMs: DAY }],
  ];
  for (const [name, actual, expected] of cases) assert.deepEqual(actual, expected, name);
  // Renewal switched off: a pending grace still brings the key Secret back when it ends.
  assert.deepEqual(planKeys({ records, stillNeeded: new Set(), now: T0 + 36 * DAY, renewalMs: 0, retireGraceMs }), {
    renew: false,
    retire: [],
    recheckMs: DAY,
  });
});

test('recordsAfter: a renewal marks every current record retiring and adds the new one; retired records go', () => {
  const now = new Date(T0 + 40 * DAY);
  const records = [rec('age1a', T0, T0 + DAY), rec('age1b', T0 + DAY)];
  assert.deepEqual(recordsAfter(records, { renew: true, retire: ['age1a'] }, 'age1c', now), [
    rec('age1b', T0 + DAY, T0 + 40 * DAY),
    rec('age1c', T0 + 40 * DAY),
  ]);
  assert.deepEqual(recordsAfter(records, { renew: false, retire: [] }, undefined, now), records);
});

test('keyFile: identities with their public keys as comments', () => {
  assert.equal(keyFile([{ identity: 'AGE-SECRET-KEY-1X', recipient: 'age1x' }]), '# public key: age1x\nAGE-SECRET-KEY-1X\n');
});

test('key metrics: age in seconds from the newest current key, retiring count, per namespace', () => {
  const series = keySeries(
    new Map([
      ['a', { created: T0, retiring: 1 }],
      ['b', { created: undefined, retiring: 0 }],
    ]),
    T0 + 90_000,
  );
  assert.deepEqual(series.age, [{ labels: { namespace: 'a' }, value: 90 }]);
  assert.deepEqual(series.retiring, [
    { labels: { namespace: 'a' }, value: 1 },
    { labels: { namespace: 'b' }, value: 0 },
  ]);
});
