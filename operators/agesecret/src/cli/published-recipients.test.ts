// What the CLI accepts as a namespace's published recipients, and the namespace check before encrypting for them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '../crypto/identities.js';
import { parseDocuments } from '../manifest/documents.js';
import { ClusterAccessError } from './cluster-errors.js';
import { checkSameNamespace, mergeRecipients, publishedRecipients, type ConfigMapObject } from './published-recipients.js';

let a: string;
let b: string;
before(async () => {
  [a, b] = await Promise.all([generateKeyPair(), generateKeyPair()]).then((pairs) => pairs.map((p) => p.recipient));
});

const ours = { 'app.kubernetes.io/managed-by': 'agesecret-operator' };
const cm = (data: Record<string, string> | undefined, labels: Record<string, string> | undefined = ours): ConfigMapObject => ({
  metadata: { name: 'agesecret-recipients', namespace: 'dev', ...(labels ? { labels } : {}) },
  ...(data ? { data } : {}),
});

test("accepted: the operator's list, with or without the retiring key", () => {
  assert.deepEqual(publishedRecipients(cm({ recipients: `${a}\n${b}\n${a}\n` }), 'dev'), { namespace: 'dev', current: [a, b] });
  assert.deepEqual(publishedRecipients(cm({ recipients: `${a}\n`, retiring: `${b}\n` }), 'dev'), {
    namespace: 'dev',
    current: [a],
    retiring: [b],
  });
  assert.deepEqual(publishedRecipients(cm({ recipients: `${a}\n`, retiring: '' }), 'dev').retiring, [], 'retiring listed, none');
  assert.deepEqual(publishedRecipients(cm({ recipients: `${a}\n`, retiring: `${a}\n` }), 'dev').retiring, [], 'current wins');
});

test("refused with exit 5 and a precise reason: never fewer or others' recipients", () => {
  const cases: [string, ConfigMapObject | undefined, string, RegExp][] = [
    [
      'absent',
      undefined,
      'NotPublished',
      /namespace dev publishes no recipients .*kubectl label namespace dev age-secret.pyvo.io\/managed-keys=true.*--managed-keys-namespace dev/,
    ],
    ["not the operator's", cm({ recipients: `${a}\n` }, {}), 'RecipientsNotOwned', /was not made by the AgeSecret operator/],
    ['no key', cm(undefined), 'NoRecipients', /lists no recipients/],
    ['empty', cm({ recipients: '\n# none\n' }), 'NoRecipients', /lists no recipients/],
    ['damaged', cm({ recipients: `${a}\nage1attacker\n` }), 'InvalidRecipients', /key recipients: line 2: .*damaged/],
    ['damaged retiring', cm({ recipients: `${a}\n`, retiring: 'nope\n' }), 'InvalidRecipients', /key retiring: line 1/],
  ];
  for (const [what, configMap, reason, message] of cases) {
    assert.throws(
      () => publishedRecipients(configMap, 'dev'),
      (e: unknown) => e instanceof ClusterAccessError && e.exitCode === 5 && e.reason === reason && message.test(e.message),
      what,
    );
  }
});

test('merge: published first, then -r/-R, each once', () => {
  assert.deepEqual(mergeRecipients([a], [b, a]), [a, b]);
});

test('documents of another namespace are refused before encrypting for this one', () => {
  const docs = (ns?: string, kind = 'AgeSecret') =>
    parseDocuments(
      `kind: ${kind}\napiVersion: ${kind === 'Secret' ? 'v1' : 'pyvo.io/v1'}\nmetadata: {name: s${ns ? `, namespace: ${ns}` : ''}}\n`,
      'f',
    );
  checkSameNamespace(docs(), 'dev', 'f.yaml');
  checkSameNamespace(docs('dev'), 'dev', 'f.yaml');
  checkSameNamespace(docs('prod', 'ConfigMap'), 'dev', 'f.yaml');
  assert.throws(
    () => checkSameNamespace(docs('prod'), 'dev', 'f.yaml'),
    /f.yaml: document 1 \(AgeSecret s\) is for namespace prod, but --namespace is dev/,
  );
  assert.throws(() => checkSameNamespace(docs('prod', 'Secret'), 'dev', 'f.yaml'), /Secret s\) is for namespace prod/);
});
