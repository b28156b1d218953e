// The CRD: built with capstan's schema builder, equal in meaning to release 0.1's; deploy/agesecret/crd.yaml is the generated one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ageSecretCrd, crdYaml } from './resource.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8');

/** The meaning of a schema: everything but key order, and the generic descriptions of apiVersion and kind. */
function meaning(crd: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(crd)) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: Record<string, { description?: string }> } } }[] };
  };
  for (const v of copy.spec.versions) {
    delete v.schema.openAPIV3Schema.properties['apiVersion']?.description;
    delete v.schema.openAPIV3Schema.properties['kind']?.description;
  }
  const sorted = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sorted)
      : x && typeof x === 'object'
        ? Object.fromEntries(
            Object.entries(x)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, sorted(v)]),
          )
        : x;
  return sorted(copy);
}

test('deploy/agesecret/crd.yaml equals the CRD generated from resource.ts', () => {
  const path = fileURLToPath(new URL('../../../deploy/agesecret/crd.yaml', import.meta.url));
  assert.deepEqual(parse(readFileSync(path, 'utf8')), JSON.parse(JSON.stringify(ageSecretCrd)), 'run: npm run generate');
  assert.deepEqual(parse(crdYaml()), JSON.parse(JSON.stringify(ageSecretCrd)));
});

/** Fields added since 0.1 (optional, so every 0.1 object stays valid and means the same). */
const ADDED_SINCE_0_1 = { spec: ['suspend', 'immutable'], status: ['recipients', 'needsReencryption'] };

/** The CRD without the fields added since 0.1. */
function as01(crd: typeof ageSecretCrd): unknown {
  const copy = JSON.parse(JSON.stringify(crd)) as typeof ageSecretCrd;
  for (const v of copy.spec.versions) {
    const root = v.schema.openAPIV3Schema.properties!;
    for (const [part, fields] of Object.entries(ADDED_SINCE_0_1)) for (const f of fields) delete root[part]?.properties?.[f];
  }
  return copy;
}

test('the schema-builder CRD means what the hand-written CRD of 0.1 meant, plus optional fields (fields, rules, limits, columns, names)', () => {
  assert.deepEqual(meaning(as01(ageSecretCrd)), meaning(parse(fixture('fixtures/crd-0.1.yaml'))));
  const spec = ageSecretCrd.spec.versions[0]!.schema.openAPIV3Schema.properties!['spec']!;
  for (const field of ADDED_SINCE_0_1.spec) assert.ok(!spec.required?.includes(field), `${field} is optional`);
  const status = ageSecretCrd.spec.versions[0]!.schema.openAPIV3Schema.properties!['status']!;
  for (const field of ADDED_SINCE_0_1.status) assert.ok(!status.required?.includes(field), `status.${field} is optional`);
});

test('seed fields and extensions exist, every field has a description', () => {
  const version = ageSecretCrd.spec.versions[0]!;
  const root = version.schema.openAPIV3Schema.properties!;
  const spec = root['spec']!;
  for (const field of ['secretName', 'secretKey', 'secret', 'ageSecretRef', 'data', 'type', 'labels', 'annotations']) {
    const schema = spec.properties?.[field];
    assert.ok(schema?.description && schema.description.length > 20, field);
  }
  assert.deepEqual(ageSecretCrd.spec.names.shortNames, ['asec', 'agesec']);
  assert.deepEqual(version.subresources, { status: {} });
  assert.deepEqual(
    version.additionalPrinterColumns?.map((c) => c.name),
    ['Secret', 'Ready', 'Reason', 'Age'],
  );
  assert.deepEqual(Object.keys(root['status']!.properties!), [
    'conditions',
    'observedGeneration',
    'secretName',
    'recipients',
    'needsReencryption',
  ]);
});
