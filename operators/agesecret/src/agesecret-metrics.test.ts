// The operator's metrics: Ready keys per AgeSecret, series from counts, and what reaches the exposition text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOperatorMetrics } from 'capstan/production';
import type { AgeSecret } from './resource.js';
import { readyKey, readySeries, registerAgeSecretMetrics } from './agesecret-metrics.js';

const obj = (generation: number, ready?: { status: 'True' | 'False'; observedGeneration: number }): AgeSecret => ({
  apiVersion: 'pyvo.io/v1',
  kind: 'AgeSecret',
  metadata: { name: 'secret-name-never-a-label', namespace: 'ns', generation },
  spec: {},
  ...(ready
    ? { status: { conditions: [{ type: 'Ready', reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00Z', ...ready }] } }
    : {}),
});

test('readyKey: the Ready status for the current generation, else Unknown', () => {
  const cases: [string, AgeSecret, string][] = [
    ['no status yet', obj(1), 'ns\u0000Unknown'],
    ['ready', obj(2, { status: 'True', observedGeneration: 2 }), 'ns\u0000True'],
    ['refused', obj(2, { status: 'False', observedGeneration: 2 }), 'ns\u0000False'],
    ['ready for an older generation', obj(3, { status: 'True', observedGeneration: 2 }), 'ns\u0000Unknown'],
  ];
  for (const [name, input, expected] of cases) assert.equal(readyKey(input), expected, name);
  assert.deepEqual(readySeries([['ns\u0000True', 4]]), [{ labels: { namespace: 'ns', ready: 'True' }, value: 4 }]);
});

test('the exposition carries namespaces and reasons only', async () => {
  const metrics = createOperatorMetrics({ operator: 'agesecret-operator', processMetrics: false });
  const counts = new Map([[readyKey(obj(1, { status: 'True', observedGeneration: 1 })), 2]]);
  const m = registerAgeSecretMetrics(metrics, () => counts);
  m.decrypted('ns');
  m.refused('ns', 'NoMatchingKey');
  const { body } = await metrics.render();
  assert.match(body, /^agesecret_decryptions_total\{namespace="ns",operator="agesecret-operator"\} 1$/m);
  assert.match(body, /^agesecret_refusals_total\{namespace="ns",reason="NoMatchingKey",operator="agesecret-operator"\} 1$/m);
  assert.match(body, /^agesecret_agesecrets\{namespace="ns",ready="True",operator="agesecret-operator"\} 2$/m);
  assert.doesNotMatch(body, /secret-name-never-a-label/);
});
