// Unit tests of the demo's manifests and of what it reads from the rendered deploy/ Deployments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  demoNumbers,
  identityLine,
  identityLines,
  operatorContainer,
  plainAgeSecret,
  recipientFromKeygen,
  webhookOnThisMachine,
  withFlag,
  withoutKind,
} from './manifests.js';
import type { Manifest } from './kubectl.js';

test('plainAgeSecret is the seed AgeSecret with a multi-line value kept exactly', () => {
  const value = '01 02 03\n44 55 66\n';
  const doc = parse(
    plainAgeSecret({
      name: 'my-secret',
      namespace: 'development',
      secretName: 'macrodata-numbers',
      secretKey: 'numbers',
      keySecret: 'agesecret-namespace-key',
      value,
    }),
  );
  assert.deepEqual(doc, {
    apiVersion: 'pyvo.io/v1',
    kind: 'AgeSecret',
    metadata: { name: 'my-secret', namespace: 'development' },
    spec: { secretName: 'macrodata-numbers', secretKey: 'numbers', ageSecretRef: 'agesecret-namespace-key', secret: value },
  });
});

test('identityLine skips the comments of a keygen file and refuses a file without a key', () => {
  assert.equal(identityLine('# created: x\n# public key: age1xyz\nAGE-SECRET-KEY-1QQQ\n'), 'AGE-SECRET-KEY-1QQQ');
  assert.throws(() => identityLine('# nothing here\n'), /no AGE-SECRET-KEY/);
});

test('identityLines finds every identity of a renewed key Secret, and none in a file without one', () => {
  assert.deepEqual(identityLines('# key-records\nAGE-SECRET-KEY-1NEW\n\n  AGE-SECRET-KEY-1OLD\n'), [
    'AGE-SECRET-KEY-1NEW',
    'AGE-SECRET-KEY-1OLD',
  ]);
  assert.deepEqual(identityLines('# nothing here\n'), []);
});

test('recipientFromKeygen finds the age1 recipient and refuses other output', () => {
  const recipient = `age1${'q'.repeat(58)}`;
  assert.equal(recipientFromKeygen(`Public key: ${recipient}\n`), recipient);
  assert.throws(() => recipientFromKeygen('error: disk full\n'), /no recipient/);
});

test('demoNumbers makes rows of two-digit numbers, different from run to run', () => {
  const text = demoNumbers();
  const rows = text.trim().split('\n');
  assert.equal(rows.length, 4);
  for (const row of rows) assert.match(row, /^(\d\d )+\d\d$/);
  let n = 0;
  assert.equal(
    demoNumbers(() => (n++ % 10) / 10, 1, 3),
    '00 10 20\n',
  );
});

const deployment: Manifest = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'op', namespace: 'op-system' },
  spec: {
    selector: { matchLabels: { application: 'op' } },
    template: {
      spec: {
        serviceAccountName: 'op-sa',
        containers: [
          {
            name: 'operator',
            args: ['--all-namespaces', '--health-port=8080'],
            env: [
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'LOG_LEVEL', value: 'info' },
            ],
          },
        ],
      },
    },
  },
};

test('operatorContainer reads args, env, ServiceAccount and selector from the rendered Deployment', () => {
  const plan = operatorContainer([{ kind: 'Namespace', metadata: { name: 'op-system' } }, deployment], 'op');
  assert.deepEqual(plan, {
    container: 'operator',
    args: ['--all-namespaces', '--health-port=8080'],
    env: { POD_NAMESPACE: 'op-system', LOG_LEVEL: 'info' },
    serviceAccount: 'op-sa',
    namespace: 'op-system',
    selector: { application: 'op' },
  });
  assert.throws(() => operatorContainer([deployment], 'other'), /no Deployment other/);
});

test('withFlag replaces both --flag=value and --flag value forms', () => {
  assert.deepEqual(withFlag(['--a', '--health-port=8080', '--b'], 'health-port', '0'), ['--a', '--b', '--health-port=0']);
  assert.deepEqual(withFlag(['--health-port', '8080', '--b'], 'health-port', '9'), ['--b', '--health-port=9']);
  assert.deepEqual(withFlag([], 'kubeconfig', '/k'), ['--kubeconfig=/k']);
});

test('withoutKind drops only that kind', () => {
  const docs: Manifest[] = [{ kind: 'Namespace' }, deployment, { kind: 'ClusterRole' }];
  assert.deepEqual(
    withoutKind(docs, 'Deployment').map((d) => d.kind),
    ['Namespace', 'ClusterRole'],
  );
});

test('webhookOnThisMachine: a Service endpoint becomes the local one; args without webhooks stay', () => {
  assert.deepEqual(webhookOnThisMachine(['--all-namespaces', '--webhook-service=op-webhook', '--health-port=8080']), [
    '--all-namespaces',
    '--health-port=8080',
    '--webhook-local',
    '--webhook-port=0',
  ]);
  assert.deepEqual(webhookOnThisMachine(['--webhook-service', 'op-webhook', '-A']), ['-A', '--webhook-local', '--webhook-port=0']);
  assert.deepEqual(webhookOnThisMachine(['-A']), ['-A']);
});
