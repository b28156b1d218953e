// Tests of the owner-reference helpers (pure): references, adoption rules, ownership checks, apply bodies.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../structs/errors.js';
import type { KubeObject } from '../structs/objects.js';
import { adopt, applyBody, controllerOf, isOwnedBy, ownerReferenceFor } from './children.js';

const owner: KubeObject = { apiVersion: 'pyvo.io/v1', kind: 'AgeSecret', metadata: { name: 'db', namespace: 'dev', uid: 'uid-owner' } };
const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { k: 'dg==' } };

describe('owner references', () => {
  test('ownerReferenceFor defaults to a blocking controller reference', () => {
    assert.deepEqual(ownerReferenceFor(owner), {
      apiVersion: 'pyvo.io/v1',
      kind: 'AgeSecret',
      name: 'db',
      uid: 'uid-owner',
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.equal(ownerReferenceFor(owner, { controller: false, blockOwnerDeletion: false }).controller, false);
    assert.throws(() => ownerReferenceFor({ metadata: { name: 'x' } }), ConfigurationError);
  });

  test('adopt adds the reference, puts the child in the owner namespace, does not modify the input', () => {
    const child = adopt(secret, owner);
    assert.equal(child.metadata.namespace, 'dev');
    assert.deepEqual(
      child.metadata.ownerReferences?.map((r) => r.uid),
      ['uid-owner'],
    );
    assert.equal(secret.metadata.ownerReferences, undefined);
    assert.equal(isOwnedBy(child, owner), true);
    assert.equal(isOwnedBy(child, owner, { controller: true }), true);
    assert.equal(controllerOf(child)?.name, 'db');
  });

  test('adopting twice keeps one reference; other owners stay', () => {
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'uid-cm' };
    const child = adopt(adopt({ ...secret, metadata: { ...secret.metadata, ownerReferences: [other] } }, owner), owner);
    assert.deepEqual(
      child.metadata.ownerReferences?.map((r) => r.uid),
      ['uid-cm', 'uid-owner'],
    );
  });

  test('refuses a second controller and cross-namespace ownership', () => {
    const controlled = adopt(secret, owner);
    const rival = { ...owner, metadata: { ...owner.metadata, uid: 'uid-rival', name: 'rival' } };
    assert.throws(() => adopt(controlled, rival), /already controlled by AgeSecret db/);
    assert.equal(adopt(controlled, rival, { controller: false }).metadata.ownerReferences?.length, 2);
    assert.throws(() => adopt({ ...secret, metadata: { name: 'x', namespace: 'prod' } }, owner), /another namespace/);
  });

  test('isOwnedBy is false for strangers and owners without a uid', () => {
    assert.equal(isOwnedBy(secret, owner), false);
    assert.equal(isOwnedBy(adopt(secret, owner), { metadata: { name: 'db' } }), false);
    assert.equal(isOwnedBy(adopt(secret, owner, { controller: false }), owner, { controller: true }), false);
  });

  test('applyBody strips server-owned metadata', () => {
    const read = {
      ...secret,
      metadata: {
        name: 'db',
        namespace: 'dev',
        uid: 'u',
        resourceVersion: '7',
        managedFields: [{}],
        creationTimestamp: 't',
        labels: { a: 'b' },
      },
    };
    assert.deepEqual(applyBody(read).metadata, { name: 'db', namespace: 'dev', labels: { a: 'b' } });
  });
});
