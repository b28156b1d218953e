// Unit tests of the Deployment opt-in patch: add what is missing, write nothing otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templatePatchFor } from './deployment-opt-in.js';
import type { Deployment } from './kube-types.js';

const deployment = (labels: Record<string, string>, templateLabels: Record<string, string>, gates: string[] = []): Deployment => ({
  metadata: { name: 'legacy', namespace: 'demo', resourceVersion: '42', labels },
  spec: { template: { metadata: { labels: templateLabels }, spec: { containers: [{ name: 'app' }], readinessGates: gates.map((conditionType) => ({ conditionType })) } } },
});

test('unlabelled Deployments are left alone', () => {
  assert.equal(templatePatchFor(deployment({}, { app: 'legacy' })), undefined);
});

test('adds the label (with the Deployment value) and the gate, keeping other gates, pinned to the resourceVersion', () => {
  assert.deepEqual(templatePatchFor(deployment({ 'secret-handshake': 'yes' }, { app: 'legacy' }, ['other/gate'])), {
    metadata: { resourceVersion: '42' },
    spec: { template: {
      metadata: { labels: { 'secret-handshake': 'yes' } },
      spec: { readinessGates: [{ conditionType: 'other/gate' }, { conditionType: 'secret-handshake.pyvo.io/done' }] },
    } },
  });
});

test('adds only what is missing, and nothing when both are there', () => {
  const onlyGate = templatePatchFor(deployment({ 'secret-handshake': '' }, { 'secret-handshake': 'x' }));
  assert.deepEqual(onlyGate, { metadata: { resourceVersion: '42' }, spec: { template: { spec: { readinessGates: [{ conditionType: 'secret-handshake.pyvo.io/done' }] } } } });
  assert.equal(templatePatchFor(deployment({ 'secret-handshake': 'true' }, { 'secret-handshake': 'true' }, ['secret-handshake.pyvo.io/done'])), undefined);
});

test('reconcileDeployment writes once and reports, then writes nothing', async () => {
  const { reconcileDeployment } = await import('./deployment-opt-in.js');
  const patches: Record<string, unknown>[] = [];
  const events: string[] = [];
  const deps = { patchDeployment: async (p: Record<string, unknown>) => { patches.push(p); }, events: { info: (r: string) => events.push(r) } };
  assert.equal(await reconcileDeployment(deployment({ 'secret-handshake': 'true' }, {}), deps), true);
  assert.equal(await reconcileDeployment(deployment({ 'secret-handshake': 'true' }, { 'secret-handshake': 'true' }, ['secret-handshake.pyvo.io/done']), deps), false);
  assert.deepEqual([patches.length, events], [1, ['HandshakeOptIn']]);
});
