// Tests of defineCustomResource and toYaml: CRD shape, validation of names, types and YAML output.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { ConfigurationError } from '../errors.js';
import { s } from './builder.js';
import { defineCustomResource, isCustomResource, type ObjectOf } from './custom-resource.js';
import { toYaml } from './yaml.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

const AgeSecrets = defineCustomResource({
  group: 'pyvo.io',
  version: 'v1',
  kind: 'AgeSecret',
  plural: 'agesecrets',
  shortNames: ['as'],
  description: 'An age-encrypted Secret.',
  spec: s.object({
    ageSecretRef: s.string({ description: 'Secret holding the age identity.' }),
    labels: s.optional(s.map(s.string())),
  }),
  status: s.object({ conditions: s.optional(s.array(s.preserveUnknown())) }),
  printerColumns: [{ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }],
});

describe('defineCustomResource', () => {
  test('builds an apiextensions.k8s.io/v1 CRD', () => {
    const { crd } = AgeSecrets;
    assert.equal(crd.metadata.name, 'agesecrets.pyvo.io');
    assert.deepEqual(crd.spec.names, {
      kind: 'AgeSecret',
      listKind: 'AgeSecretList',
      plural: 'agesecrets',
      singular: 'agesecret',
      shortNames: ['as'],
    });
    assert.equal(crd.spec.scope, 'Namespaced');
    const [v] = crd.spec.versions;
    assert.equal(v?.name, 'v1');
    assert.equal(v?.served && v.storage, true);
    assert.deepEqual(v?.subresources, { status: {} });
    assert.deepEqual(
      v?.additionalPrinterColumns?.map((c) => c.name),
      ['Ready', 'Age'],
    );
    const root = v?.schema.openAPIV3Schema;
    assert.equal(root?.description, 'An age-encrypted Secret.');
    assert.deepEqual(root?.required, ['spec']);
    assert.equal(root?.properties?.spec?.properties?.ageSecretRef?.description, 'Secret holding the age identity.');
    assert.equal(root?.properties?.metadata?.type, 'object');
  });

  test('gives the reference and typed objects', () => {
    assert.deepEqual(AgeSecrets.ref, { group: 'pyvo.io', version: 'v1', plural: 'agesecrets', kind: 'AgeSecret' });
    const obj = AgeSecrets.build({ metadata: { name: 'a', namespace: 'n' }, spec: { ageSecretRef: 'key' } });
    assert.equal(obj.apiVersion, 'pyvo.io/v1');
    assert.equal(obj.kind, 'AgeSecret');
    expectType<Equal<typeof AgeSecrets.$spec, { ageSecretRef: string; labels?: Record<string, string> | undefined }>>(true);
    expectType<Equal<(typeof AgeSecrets.$status)['conditions'], Record<string, unknown>[] | undefined>>(true);
    expectType<Equal<ObjectOf<typeof AgeSecrets>['spec'], typeof AgeSecrets.$spec | undefined>>(true);
    assert.ok(isCustomResource(AgeSecrets));
    assert.ok(!isCustomResource({ crd: {} }));
  });

  test('no status: no status subresource, no printer columns', () => {
    const r = defineCustomResource({
      group: 'example.com',
      version: 'v1alpha1',
      kind: 'Widget',
      plural: 'widgets',
      scope: 'Cluster',
      spec: s.object({}),
    });
    assert.equal(r.crd.spec.versions[0]?.subresources, undefined);
    assert.equal(r.crd.spec.versions[0]?.additionalPrinterColumns, undefined);
    assert.equal(r.namespaced, false);
  });

  test('rejects invalid names with a clear error', () => {
    const base = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', spec: s.object({}) };
    assert.throws(
      () => defineCustomResource({ ...base, group: 'nodots' }),
      (e: unknown) => e instanceof ConfigurationError && /group "nodots"/.test(e.message),
    );
    assert.throws(() => defineCustomResource({ ...base, plural: 'Widgets' }), /plural "Widgets"/);
    assert.throws(() => defineCustomResource({ ...base, kind: 'widget' }), /kind "widget"/);
    assert.throws(() => defineCustomResource({ ...base, version: '1' }), /version "1"/);
    assert.throws(() => defineCustomResource({ ...base, shortNames: ['W'] }), /short name "W"/);
    assert.throws(() => defineCustomResource({ ...base, spec: s.string() }), /spec must be/);
  });
});

describe('toYaml', () => {
  test('round-trips through YAML, one document per CRD', () => {
    const other = defineCustomResource({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', spec: s.object({}) });
    const text = toYaml([AgeSecrets.crd, other.crd]);
    const docs = text.split(/^---$/m).map((d) => parse(d));
    assert.equal(docs.length, 2);
    assert.deepEqual(docs[0], JSON.parse(JSON.stringify(AgeSecrets.crd)));
    assert.match(text, /jsonPath: \.status\.conditions\[\?\(@\.type=="Ready"\)\]\.status/);
    assert.deepEqual(parse(toYaml(other.crd)), JSON.parse(JSON.stringify(other.crd)));
  });
});
