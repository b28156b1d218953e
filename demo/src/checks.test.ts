// Unit tests of the check list, the summary, the leak search and the numbers page parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECKS, CheckList, formatSummary } from './checks.js';
import { pageNumbers } from './http-get.js';
import { findLeaks, leakNeedles } from './leak-check.js';

test('a check never reached is a failure and still has its summary line', () => {
  const list = new CheckList();
  for (const [id] of CHECKS.slice(0, -1)) list.pass(id, 'fine');
  assert.equal(list.ok, false);
  const results = list.all();
  assert.equal(results.length, CHECKS.length);
  assert.equal(results.at(-1)?.state, 'SKIP');
  const summary = formatSummary(results).split('\n');
  assert.equal(summary.length, CHECKS.length + 1);
  assert.match(summary.at(-2) ?? '', /^FAIL {2}.*\(not reached\)$/);
  assert.equal(summary.at(-1), `${CHECKS.length - 1}/${CHECKS.length} checks passed`);
});

test('all passed makes ok; a later fail overrides a pass', () => {
  const list = new CheckList();
  for (const [id] of CHECKS) list.pass(id, '');
  assert.equal(list.ok, true);
  list.fail('no-leak', 'found');
  assert.equal(list.ok, false);
  assert.ok(formatSummary(list.all()).includes('FAIL  the plaintext appears in no operator log'));
});

test('leak search looks for whole rows and the identities, not single numbers', () => {
  const needles = leakNeedles('12 34 56 78\n90 11 22 33\n', ['AGE-SECRET-KEY-1DEV', 'AGE-SECRET-KEY-1XYZ']);
  assert.deepEqual(needles, ['12 34 56 78', '90 11 22 33', 'AGE-SECRET-KEY-1DEV', 'AGE-SECRET-KEY-1XYZ']);
  const found = findLeaks(
    { 'a.log': '{"time":"12:34:56","msg":"78"}', 'b.log': 'value 90 11 22 33', events: 'key AGE-SECRET-KEY-1XYZ' },
    needles,
  );
  assert.deepEqual(found, ['b.log', 'events']);
});

test('pageNumbers reads the grid cells in order', () => {
  const html =
    '<main class="grid" id="numbers"><span class="cell">07</span><span class="cell">42</span></main><span class="other">9</span>';
  assert.deepEqual(pageNumbers(html), ['07', '42']);
  assert.deepEqual(pageNumbers('<p>No numbers to refine</p>'), []);
});

test("a multi-line detail stays on its check's line", () => {
  const list = new CheckList();
  list.fail('cluster', `timed out; its log ends:\n${'x'.repeat(400)}\nlast line`);
  const summary = formatSummary(list.all()).split('\n');
  assert.equal(summary.length, CHECKS.length + 1);
  assert.match(summary[0] ?? '', /^FAIL {2}local cluster up .*\(timed out; its log ends: \| x+\.\.\.\)$/);
  assert.ok((summary[0] ?? '').length < 400);
});
