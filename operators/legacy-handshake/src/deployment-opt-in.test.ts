// Unit tests of the Deployment opt-in patch: add what is missing, write nothing otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templatePatchFor } from './deployment-opt-in.js';
import type { Deployment } from './kube-types.js';

const deployment = (labels: Record<string, string>, templateLabels: Record<string, string>, gates: string[] = []): Deployment => ({
  metadata: { name: 'legacy', namespace: 'demo', resourceVersion: '42', labels },
  spec: {
    template: {
      metadata: { labels: templateLabels },
      spec: { containers: [{ name: 'app' }], readinessGates: gates.map((conditionType) => ({ conditionType })) },
    },
  },
});

test('unlabelled Deployments are left alone', () => {
  assert.equal(templatePatchFor(deployment({}, { app: 'legacy' })), undefined);
});

test('adds the label (with the Deployment value) and the gate after a test of the existing gates', () => {
  assert.deepEqual(templatePatchFor(deployment({ 'secret-handshake': 'yes' }, { app: 'legacy' }, ['other/gate'])), [
    { op: 'add', path: '/spec/template/metadata/labels/secret-handshake', value: 'yes' },
    { op: 'test', path: '/spec/template/spec/readinessGates', value: [{ conditionType: 'other/gate' }] },
    { op: 'add', path: '/spec/template/spec/readinessGates/-', value: { conditionType: 'secret-handshake.pyvo.io/done' } },
  ]);
});

test('adds only what is missing, creating absent lists and maps, and nothing when both are there', () => {
  const bare: Deployment = { metadata: { labels: { 'secret-handshake': '' } }, spec: { template: { spec: { containers: [] } } } };
  assert.deepEqual(templatePatchFor(bare), [
    { op: 'add', path: '/spec/template/metadata/labels', value: { 'secret-handshake': '' } },
    { op: 'add', path: '/spec/template/spec/readinessGates', value: [{ conditionType: 'secret-handshake.pyvo.io/done' }] },
  ]);
  assert.deepEqual(templatePatchFor(deployment({ 'secret-handshake': 'true' }, { 'secret-handshake': 'x' })), [
    { op: 'test', path: '/spec/template/spec/readinessGates', value: [] },
    { op: 'add', path: '/spec/template/spec/readinessGates/-', value: { conditionType: 'secret-handshake.pyvo.io/done' } },
  ]);
  assert.equal(
    templatePatchFor(deployment({ 'secret-handshake': 'true' }, { 'secret-handshake': 'true' }, ['secret-handshake.pyvo.io/done'])),
    undefined,
  );
});

test('reconcileDeployment writes once and reports, then writes nothing', async () => {
  const { reconcileDeployment } = await import('./deployment-opt-in.js');
  const patches: unknown[] = [];
  const events: string[] = [];
  const deps = {
    patchDeployment: async (p: unknown) => {
      patches.push(p);
    },
    events: { info: (r: string) => events.push(r) },
  };
  assert.equal(await reconcileDeployment(deployment({ 'secret-handshake': 'true' }, {}), deps), true);
  assert.equal(
    await reconcileDeployment(
      deployment({ 'secret-handshake': 'true' }, { 'secret-handshake': 'true' }, ['secret-handshake.pyvo.io/done']),
      deps,
    ),
    false,
  );
  assert.deepEqual([patches.length, events], [1, ['HandshakeOptIn']]);
});
