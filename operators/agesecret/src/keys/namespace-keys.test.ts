// Cluster-held namespace keys: opt-in, the generated key Secret, and the recipients ConfigMap decisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from 'capstan';
import { loadIdentities, generateKeyPair } from '../crypto/identities.js';
import { configMapAction, keySecretBody, managesKeys, MANAGED_BY, MANAGED_KEYS_LABEL, recipientsData } from './namespace-keys.js';

const ns = (name: string, labels?: Record<string, string>, deleting = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(labels ? { labels } : {}), ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
});

test('managesKeys: the flag list or, when enabled, the label "true"', () => {
  const listed = { namespaces: ['team-a'], label: false, secretName: 'k' };
  const labelled = { namespaces: [], label: true, secretName: 'k' };
  const cases: [string, KubeObject, typeof listed, boolean][] = [
    ['listed', ns('team-a'), listed, true],
    ['not listed', ns('team-b'), listed, false],
    ['labelled, label not honoured', ns('team-b', { [MANAGED_KEYS_LABEL]: 'true' }), listed, false],
    ['labelled, label honoured', ns('team-b', { [MANAGED_KEYS_LABEL]: 'true' }), labelled, true],
    ['label other than "true"', ns('team-b', { [MANAGED_KEYS_LABEL]: 'yes' }), labelled, false],
    ['being deleted', ns('team-a', undefined, true), listed, false],
  ];
  for (const [name, input, settings, expected] of cases) assert.equal(managesKeys(input, settings), expected, name);
});

test('the generated key Secret loads as the identity it was made from; the ConfigMap holds only the recipient', async () => {
  const { identity, recipient } = await generateKeyPair();
  const body = keySecretBody('team-a', 'agesecret-namespace-key', identity, recipient, new Date('2026-01-01T00:00:00Z')) as KubeObject & {
    data: Record<string, string>;
  };
  assert.deepEqual(body.metadata.labels, MANAGED_BY);
  const set = await loadIdentities(Buffer.from(body.data['secretKey']!, 'base64').toString('utf8'));
  assert.deepEqual(set.recipients, [recipient]);
  const data = recipientsData([recipient, recipient]);
  assert.deepEqual(data, { recipients: `${recipient}\n` });
  assert.ok(!JSON.stringify(data).includes('AGE-SECRET-KEY'));
});

test('configMapAction: create, update ours, leave equal, never rewrite a foreign one', () => {
  const data = { recipients: 'age1x\n' };
  const cm = (labels: Record<string, string> | undefined, d: Record<string, string>) =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...(labels ? { labels } : {}) }, data: d }) as KubeObject & {
      data: Record<string, string>;
    };
  assert.equal(configMapAction(undefined, data), 'create');
  assert.equal(configMapAction(cm({ ...MANAGED_BY }, data), data), 'unchanged');
  assert.equal(configMapAction(cm({ ...MANAGED_BY }, { recipients: 'age1old\n' }), data), 'update');
  assert.equal(configMapAction(cm({ ...MANAGED_BY }, { ...data, extra: 'x' }), data), 'update');
  assert.equal(configMapAction(cm(undefined, { recipients: 'age1attacker\n' }), data), 'foreign');
});
