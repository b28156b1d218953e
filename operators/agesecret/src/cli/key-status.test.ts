// age-secret status, the pure part: per AgeSecret, Ready and whether it needs a retiring key; exit code; output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../resource.js';
import {
  keyNeedOf,
  keyStatusRow,
  renderStatus,
  statusExitCode,
  statusSummary,
  type AgeSecretObjectLike,
  type KeyStatusRow,
} from './key-status.js';
import type { PublishedRecipients } from './published-recipients.js';

const NOW = 'age1now';
const OLD = 'age1old';
const OTHER = 'age1other';
const withRetiring: PublishedRecipients = { namespace: 'dev', current: [NOW], retiring: [OLD] };
const withoutRetiring: PublishedRecipients = { namespace: 'dev', current: [NOW] };

const condition = (type: string, status: string, observedGeneration = 2, reason = 'R'): Condition =>
  ({ type, status, reason, message: '', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration }) as Condition;
const asec = (
  options: { recorded?: string[]; conditions?: Condition[]; needs?: boolean; observedGeneration?: number } = {},
): AgeSecretObjectLike => {
  const status = {
    ...(options.conditions ? { conditions: options.conditions } : {}),
    ...(options.needs !== undefined ? { needsReencryption: options.needs, observedGeneration: options.observedGeneration ?? 2 } : {}),
    ...(options.needs === undefined && options.observedGeneration !== undefined ? { observedGeneration: options.observedGeneration } : {}),
  };
  return {
    metadata: {
      name: 'a',
      generation: 2,
      ...(options.recorded ? { annotations: { 'age-secret.pyvo.io/recipients': options.recorded.join(',') } } : {}),
    },
    ...(Object.keys(status).length ? { status } : {}),
  };
};

test("needs a retiring key: the operator's condition first, else the recorded recipients, else unknown", () => {
  const cases: [string, AgeSecretObjectLike, PublishedRecipients, string, RegExp][] = [
    ['operator says yes', asec({ recorded: [NOW], needs: true }), withRetiring, 'retiring', /operator: status.needsReencryption/],
    ['operator says no', asec({ recorded: [OLD], needs: false }), withRetiring, 'current', /operator/],
    [
      'status of an older generation ignored',
      asec({ recorded: [OLD], needs: false, observedGeneration: 1 }),
      withRetiring,
      'retiring',
      /recorded/,
    ],
    ['no word from the operator', asec({ recorded: [NOW], observedGeneration: 2 }), withRetiring, 'current', /recorded/],
    ['current and retiring recorded', asec({ recorded: [OLD, NOW] }), withRetiring, 'current', /include a current one/],
    ['only retiring recorded', asec({ recorded: [OLD, OTHER] }), withRetiring, 'retiring', /retiring one and no current/],
    ['another key', asec({ recorded: [OTHER] }), withRetiring, 'unknown', /neither current nor retiring/],
    ['no retiring list', asec({ recorded: [OLD] }), withoutRetiring, 'unknown', /does not list retiring keys/],
    ['no retiring list, current', asec({ recorded: [NOW] }), withoutRetiring, 'current', /include a current one/],
    ['nothing recorded', asec(), withRetiring, 'unknown', /no age-secret.pyvo.io\/recipients annotation/],
  ];
  for (const [what, obj, published, need, why] of cases) {
    const got = keyNeedOf(obj, published);
    assert.equal(got.need, need, what);
    assert.match(got.why, why, what);
  }
});

test('Ready: only for the current generation', () => {
  const row = (conditions?: Condition[]) => keyStatusRow(asec({ recorded: [NOW], ...(conditions ? { conditions } : {}) }), withRetiring);
  assert.deepEqual(
    [row([condition('Ready', 'True', 2, 'Decrypted')]).ready, row([condition('Ready', 'True', 2, 'Decrypted')]).reason],
    ['True', 'Decrypted'],
  );
  assert.deepEqual(
    [row([condition('Ready', 'False', 2, 'NoMatchingKey')]).ready, row([condition('Ready', 'False', 2, 'NoMatchingKey')]).reason],
    ['False', 'NoMatchingKey'],
  );
  assert.deepEqual(
    [row([condition('Ready', 'True', 1)]).ready, row([condition('Ready', 'True', 1)]).reason],
    ['Unknown', 'NotObservedYet'],
  );
  assert.deepEqual([row().ready, row().reason], ['Unknown', 'NoStatus']);
});

const r = (name: string, need: KeyStatusRow['need']): KeyStatusRow => ({ name, ready: 'True', reason: 'Decrypted', need, why: 'w' });

test('exit code: 3 when any needs a retiring key, else 4 when any is unknown, else 0', () => {
  const cases: [KeyStatusRow['need'][], number][] = [
    [[], 0],
    [['current', 'current'], 0],
    [['current', 'unknown'], 4],
    [['unknown', 'retiring', 'current'], 3],
  ];
  for (const [needs, code] of cases) assert.equal(statusExitCode(needs.map((n, i) => r(`a${i}`, n))), code, needs.join());
});

test('output: an aligned table sorted by name, and a summary saying what to do', () => {
  assert.equal(
    renderStatus([r('zeta', 'retiring'), r('alpha-long-name', 'current')]),
    'NAME             READY  REASON     NEEDS-RETIRING-KEY  WHY\n' +
      'alpha-long-name  True   Decrypted  no                  w\n' +
      'zeta             True   Decrypted  YES                 w\n',
  );
  assert.match(
    statusSummary([r('a', 'retiring'), r('b', 'current')], 'dev'),
    /^2 AgeSecret\(s\) in dev: 1 current, 1 need a retiring key, 0 unknown; run: age-secret updatekeys --namespace dev/,
  );
  assert.match(statusSummary([r('a', 'unknown')], 'dev'), /1 unknown; to be sure/);
  assert.equal(statusSummary([], 'dev'), '0 AgeSecret(s) in dev: 0 current, 0 need a retiring key, 0 unknown\n');
});
