// Unit tests of label/annotation filters, field-change detection and namespace globs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, fieldChanged, labelSelectorFor, matchesMeta, matchesObject, PRESENT, sharedLabelSelector } from './filters.js';
import { isGlob, namespaceMatcher } from './globs.js';

test('PRESENT, ABSENT, exact values and predicates', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.ok(matchesMeta({ app: PRESENT, missing: ABSENT }, labels));
  assert.ok(!matchesMeta({ app: ABSENT }, labels));
  assert.ok(matchesMeta({ app: 'web' }, labels));
  assert.ok(!matchesMeta({ app: 'db' }, labels));
  assert.ok(matchesMeta({ tier: (v) => v?.startsWith('fr') ?? false }, labels));
  assert.ok(!matchesMeta({ x: PRESENT }, undefined));
  assert.ok(matchesMeta(undefined, undefined));
  assert.ok(matchesObject({ labels: { app: 'web' }, annotations: { note: ABSENT } }, { metadata: { labels } }));
});

test('fieldChanged compares values at a dotted path', () => {
  assert.ok(fieldChanged('spec.x', { spec: { x: 1 } }, { spec: { x: 2 } }));
  assert.ok(!fieldChanged('spec.x', { spec: { x: 1, y: 1 } }, { spec: { x: 1, y: 2 } }));
  assert.ok(
    fieldChanged(
      'metadata.labels[app.kubernetes.io/name]',
      { metadata: { labels: {} } },
      { metadata: { labels: { 'app.kubernetes.io/name': 'a' } } },
    ),
  );
});

test('label selectors push down only what the server understands', () => {
  assert.equal(labelSelectorFor({ a: PRESENT, b: ABSENT, c: 'x', d: () => true }), 'a,!b,c=x');
  assert.equal(labelSelectorFor({ d: () => true }), undefined);
});

test('namespace globs with exclusions', () => {
  const m = namespaceMatcher(['team-*', 'dev-?', '!team-secret*']);
  assert.ok(m('team-a'));
  assert.ok(m('dev-1'));
  assert.ok(!m('dev-10'));
  assert.ok(!m('team-secret-ops'));
  assert.ok(!m('other'));
  assert.ok(namespaceMatcher(['!kube-*'])('default'));
  assert.ok(!namespaceMatcher(['!kube-*'])('kube-system'));
  assert.ok(namespaceMatcher(['a.b'])('a.b') && !namespaceMatcher(['a.b'])('axb'), 'dots are literal');
  assert.ok(isGlob('team-*') && isGlob('!x') && !isGlob('plain'));
});

test('the selector several filters share: only requirements in every one of them', () => {
  const cases: Array<[Parameters<typeof sharedLabelSelector>[0], string | undefined]> = [
    [[{ a: PRESENT }], 'a'],
    [
      [
        { a: PRESENT, b: 'x' },
        { b: 'x', a: PRESENT, c: ABSENT },
      ],
      'a,b=x',
    ],
    [[{ a: 'x' }, { a: 'y' }], undefined],
    [[{ a: PRESENT }, undefined], undefined],
    [[{ a: () => true }], undefined],
    [[], undefined],
  ];
  for (const [filters, want] of cases) assert.equal(sharedLabelSelector(filters), want, JSON.stringify(filters));
});
