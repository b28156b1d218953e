// The mutating webhook's decisions, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, Pod } from './kube-types.js';
import { escapedPods, owningDeploymentName, podMutation } from './pod-admission.js';

const GATE = { conditionType: 'secret-handshake.pyvo.io/done' };
const pod = (over: { labels?: Record<string, string>; gates?: { conditionType: string }[]; rs?: string; hash?: string } = {}): Pod => ({
  metadata: {
    labels: {
      app: 'x',
      ...(over.hash !== undefined ? { 'pod-template-hash': over.hash } : { 'pod-template-hash': 'abc12' }),
      ...over.labels,
    },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: over.rs ?? 'web-abc12', uid: 'u', controller: true }],
  },
  spec: { containers: [{ name: 'c' }], ...(over.gates ? { readinessGates: over.gates } : {}) },
});
const deployment = (labels?: Record<string, string>): Deployment => ({ metadata: { name: 'web', ...(labels ? { labels } : {}) } });

test('owningDeploymentName: the ReplicaSet name minus its pod-template-hash', () => {
  assert.equal(owningDeploymentName(pod()), 'web');
  assert.equal(owningDeploymentName(pod({ rs: 'my-app-v2-abc12' })), 'my-app-v2');
  assert.equal(owningDeploymentName(pod({ rs: 'web-zzz' })), undefined, 'hash mismatch: not a Deployment RS');
  assert.equal(owningDeploymentName({ metadata: { labels: {} } }), undefined);
});

const cases: [string, Pod, Deployment | undefined, { label?: string; gates?: number } | undefined][] = [
  ['opted-in Deployment: label and gate added', pod(), deployment({ 'secret-handshake': 'yes' }), { label: 'yes', gates: 1 }],
  ['gate already there: only the label', pod({ gates: [GATE] }), deployment({ 'secret-handshake': '' }), { label: '', gates: 1 }],
  ['other gates kept', pod({ gates: [{ conditionType: 'x' }] }), deployment({ 'secret-handshake': 'a' }), { label: 'a', gates: 2 }],
  [
    'nothing missing: no change',
    pod({ labels: { 'secret-handshake': 'a' }, gates: [GATE] }),
    deployment({ 'secret-handshake': 'a' }),
    undefined,
  ],
  ['Deployment not opted in', pod(), deployment({ app: 'x' }), undefined],
  ['no Deployment known', pod(), undefined, undefined],
];
for (const [name, p, d, expected] of cases) {
  test(`podMutation: ${name}`, () => {
    const out = podMutation(p, d);
    if (!expected) return assert.equal(out, undefined);
    assert.equal(out?.metadata?.labels?.['secret-handshake'], expected.label);
    assert.equal(out?.spec?.readinessGates?.length, expected.gates);
    assert.ok(out?.spec?.readinessGates?.some((g) => g.conditionType === GATE.conditionType));
    assert.equal(out?.metadata?.labels?.['app'], 'x', 'other labels kept');
  });
}

test('escapedPods: running pods without the gate', () => {
  const gated = pod({ gates: [GATE] });
  const bare = pod();
  const leaving = { ...pod(), metadata: { ...pod().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(escapedPods([gated, bare, leaving]), [bare]);
});
