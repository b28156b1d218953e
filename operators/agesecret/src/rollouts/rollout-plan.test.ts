// Rollouts on change: which workloads roll for a Secret, with what minimal patch, and never twice for the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashAnnotation, referencedSecrets, rolloutHash, rolloutPatch, ROLLOUT_ANNOTATION, type Workload } from './rollout-plan.js';

type PodSpec = NonNullable<NonNullable<NonNullable<Workload['spec']>['template']>['spec']>;
const workload = (pod: PodSpec, opts: { optIn?: string; template?: Record<string, string> } = {}): Workload => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'w', namespace: 'n', ...(opts.optIn !== undefined ? { annotations: { [ROLLOUT_ANNOTATION]: opts.optIn } } : {}) },
  spec: { template: { ...(opts.template ? { metadata: { annotations: opts.template } } : {}), spec: pod } },
});
const env = (name: string): PodSpec => ({ containers: [{ env: [{ valueFrom: { secretKeyRef: { name } } }] }] });

test('referencedSecrets: env, envFrom, secret and projected volumes, containers and initContainers', () => {
  const cases: [string, PodSpec, string[]][] = [
    ['env secretKeyRef', env('s'), ['s']],
    ['envFrom secretRef', { containers: [{ envFrom: [{ secretRef: { name: 's' } }] }] }, ['s']],
    ['initContainer env', { initContainers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'i' } } }] }] }, ['i']],
    ['secret volume', { volumes: [{ secret: { secretName: 'v' } }] }, ['v']],
    ['projected volume', { volumes: [{ projected: { sources: [{ secret: { name: 'p' } }, {}] } }] }, ['p']],
    ['configMap env and plain env', { containers: [{ env: [{}], envFrom: [{}] }] }, []],
    ['nothing', {}, []],
  ];
  for (const [name, pod, expected] of cases) assert.deepEqual([...referencedSecrets(workload(pod))].sort(), expected, name);
});

test('rolloutPatch: only opted-in workloads that use the Secret, only when the hash differs, one annotation', () => {
  const key = hashAnnotation('s');
  const patch = { spec: { template: { metadata: { annotations: { [key]: 'h2' } } } } };
  const cases: [string, Workload, Record<string, unknown> | undefined][] = [
    ['opted in, uses it, first time', workload(env('s'), { optIn: 'true' }), patch],
    ['opted in, older hash', workload(env('s'), { optIn: 'true', template: { [key]: 'h1', other: 'x' } }), patch],
    ['opted in, same hash: no write', workload(env('s'), { optIn: 'true', template: { [key]: 'h2' } }), undefined],
    ['not opted in', workload(env('s')), undefined],
    ['opt-in other than "true"', workload(env('s'), { optIn: 'yes' }), undefined],
    ['opted in, another Secret', workload(env('other'), { optIn: 'true' }), undefined],
  ];
  for (const [name, w, expected] of cases) assert.deepEqual(rolloutPatch(w, 's', 'h2'), expected, name);
});

test('hashAnnotation: a valid annotation name for any Secret name; the hash is keyed and reveals no data', () => {
  assert.equal(hashAnnotation('db-credentials'), 'age-secret.pyvo.io/secret-hash-db-credentials');
  const long = hashAnnotation('x'.repeat(200));
  const namePart = long.split('/')[1]!;
  assert.ok(namePart.length <= 63 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(namePart), namePart);
  assert.notEqual(hashAnnotation('a'.repeat(60) + '1'), hashAnnotation('a'.repeat(60) + '2'));
  const h = rolloutHash({ uid: 'u1', dataHash: 'd' });
  assert.equal(h, rolloutHash({ uid: 'u1', dataHash: 'd' }), 'stable');
  assert.notEqual(h, rolloutHash({ uid: 'u2', dataHash: 'd' }), 'keyed by the Secret');
  assert.notEqual(h, rolloutHash({ uid: 'u1', dataHash: 'e' }), 'changes with the data');
});
