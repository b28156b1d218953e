// The CRD: deploy/agesecret/crd.yaml is the generated one; seed fields and extensions are described.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ageSecretCrd, crdYaml } from './resource.js';

test('deploy/agesecret/crd.yaml equals the CRD generated from resource.ts', () => {
  const path = fileURLToPath(new URL('../../../deploy/agesecret/crd.yaml', import.meta.url));
  assert.equal(readFileSync(path, 'utf8'), crdYaml(), 'run: npm run gen:crd -w @capstan/agesecret');
  assert.deepEqual(parse(crdYaml()), JSON.parse(JSON.stringify(ageSecretCrd)));
});

test('seed fields and extensions exist, every field has a description', () => {
  const version = ageSecretCrd.spec.versions[0];
  const spec = version.schema.openAPIV3Schema.properties.spec;
  for (const field of ['secretName', 'secretKey', 'secret', 'ageSecretRef', 'data', 'type', 'labels', 'annotations']) {
    const schema = (spec.properties as Record<string, { description?: string }>)[field];
    assert.ok(schema?.description && schema.description.length > 20, field);
  }
  assert.deepEqual([...ageSecretCrd.spec.names.shortNames], ['asec', 'agesec']);
  assert.deepEqual(version.subresources, { status: {} });
  assert.deepEqual(version.additionalPrinterColumns.map((c) => c.name), ['Secret', 'Ready', 'Reason', 'Age']);
  assert.deepEqual(Object.keys(version.schema.openAPIV3Schema.properties.status.properties), ['conditions', 'observedGeneration', 'secretName']);
});
