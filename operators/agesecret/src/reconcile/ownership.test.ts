// Who may write a target Secret: the hijack cases of adoption, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from 'capstan';
import { ADOPT_ANNOTATION, ownershipOf, type Ownership } from './ownership.js';

const ref = (uid: string, kind = 'AgeSecret', controller = true): OwnerReference => ({
  apiVersion: 'pyvo.io/v1',
  kind,
  name: 'x',
  uid,
  controller,
});
const secret = (annotations?: Record<string, string>, ownerReferences?: OwnerReference[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'n', ...(annotations ? { annotations } : {}), ...(ownerReferences ? { ownerReferences } : {}) },
});
const me = { name: 'mine', uid: 'uid-mine' };

const cases: [string, KubeObject, Ownership][] = [
  ['owned by this AgeSecret', secret(undefined, [ref('uid-mine')]), 'owned'],
  ['owned, the annotation left over', secret({ [ADOPT_ANNOTATION]: 'mine' }, [ref('uid-mine')]), 'owned'],
  ['no annotation: refused as before', secret(), 'foreign'],
  ['consent naming this AgeSecret', secret({ [ADOPT_ANNOTATION]: 'mine' }), 'adoptable'],
  ['consent naming another AgeSecret', secret({ [ADOPT_ANNOTATION]: 'other' }), 'foreign'],
  ['consent with an empty name', secret({ [ADOPT_ANNOTATION]: '' }), 'foreign'],
  ['consent naming it, with padding', secret({ [ADOPT_ANNOTATION]: ' mine' }), 'foreign'],
  ['a similar annotation is no consent', secret({ 'pyvo.io/adopt': 'mine' }), 'foreign'],
  ['consent, but another AgeSecret controls it', secret({ [ADOPT_ANNOTATION]: 'mine' }, [ref('uid-other')]), 'foreign'],
  ['consent, but another controller controls it', secret({ [ADOPT_ANNOTATION]: 'mine' }, [ref('uid-x', 'ReplicaSet')]), 'foreign'],
  ['consent, a non-controller owner only', secret({ [ADOPT_ANNOTATION]: 'mine' }, [ref('uid-x', 'ConfigMap', false)]), 'adoptable'],
  ['our uid, but not as controller', secret(undefined, [ref('uid-mine', 'AgeSecret', false)]), 'foreign'],
];

for (const [name, input, expected] of cases) {
  test(`ownership: ${name}`, () => assert.equal(ownershipOf(input, me), expected));
}

test('ownership: an AgeSecret without a uid yet (admission of a create) is adopted by name only', () => {
  assert.equal(ownershipOf(secret({ [ADOPT_ANNOTATION]: 'mine' }), { name: 'mine', uid: undefined }), 'adoptable');
  assert.equal(ownershipOf(secret(), { name: 'mine', uid: undefined }), 'foreign');
});
