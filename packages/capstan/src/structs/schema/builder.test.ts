// Tests of the schema builder: the emitted OpenAPI v3 schema and the inferred TypeScript types.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { s, type Infer } from './builder.js';

/** Compile-time equality: `expectType<Equal<A, B>>(true)` fails to compile when A and B differ. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

describe('schema builder', () => {
  const spec = s.object(
    {
      secretName: s.string({ description: 'Name of the Secret to create.', maxLength: 253, pattern: '^[a-z0-9.-]+$' }),
      mode: s.optional(s.string({ enum: ['Opaque', 'Tls'], default: 'Opaque' })),
      replicas: s.integer({ minimum: 0, format: 'int32' }),
      ratio: s.optional(s.number()),
      enabled: s.boolean({ description: 'on/off' }),
      keys: s.array(s.string(), { description: 'key names', listType: 'set' }),
      labels: s.optional(s.map(s.string())),
      extra: s.optional(s.preserveUnknown({ description: 'anything' })),
      port: s.optional(s.intOrString()),
      nested: s.object({ at: s.dateTime() }, { description: 'a nested object' }),
    },
    { description: 'The spec.' },
  );

  test('infers the TypeScript type with optional keys', () => {
    type Spec = Infer<typeof spec>;
    expectType<Equal<Spec['secretName'], string>>(true);
    expectType<Equal<Spec['mode'], 'Opaque' | 'Tls' | undefined>>(true);
    expectType<Equal<Spec['replicas'], number>>(true);
    expectType<Equal<Spec['keys'], string[]>>(true);
    expectType<Equal<Spec['labels'], Record<string, string> | undefined>>(true);
    expectType<Equal<Spec['extra'], Record<string, unknown> | undefined>>(true);
    expectType<Equal<Spec['port'], number | string | undefined>>(true);
    expectType<Equal<Spec['nested'], { at: string }>>(true);
    const ok: Spec = { secretName: 'x', replicas: 1, enabled: true, keys: [], nested: { at: '2026-01-01T00:00:00Z' } };
    // @ts-expect-error: a required key is missing
    const missing: Spec = { secretName: 'x', replicas: 1, enabled: true, keys: [] };
    // @ts-expect-error: not one of the enum values
    const badEnum: Spec = { ...ok, mode: 'Other' };
    assert.ok(ok && missing && badEnum);
  });

  test('emits a structural schema with required, descriptions and validations', () => {
    const json = spec.json;
    assert.equal(json.type, 'object');
    assert.equal(json.description, 'The spec.');
    assert.deepEqual(json.required, ['secretName', 'replicas', 'enabled', 'keys', 'nested']);
    assert.deepEqual(json.properties?.secretName, {
      type: 'string',
      description: 'Name of the Secret to create.',
      pattern: '^[a-z0-9.-]+$',
      maxLength: 253,
    });
    assert.deepEqual(json.properties?.mode, { type: 'string', enum: ['Opaque', 'Tls'], default: 'Opaque' });
    assert.deepEqual(json.properties?.replicas, { type: 'integer', format: 'int32', minimum: 0 });
    assert.deepEqual(json.properties?.keys, {
      type: 'array',
      description: 'key names',
      items: { type: 'string' },
      'x-kubernetes-list-type': 'set',
    });
    assert.deepEqual(json.properties?.labels, { type: 'object', additionalProperties: { type: 'string' } });
    assert.deepEqual(json.properties?.extra, { type: 'object', description: 'anything', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(json.properties?.port, { 'x-kubernetes-int-or-string': true });
    assert.deepEqual(json.properties?.nested, {
      type: 'object',
      description: 'a nested object',
      properties: { at: { type: 'string', format: 'date-time' } },
      required: ['at'],
    });
  });

  test('an object of only optional properties has no required list', () => {
    assert.equal(s.object({ a: s.optional(s.string()) }).json.required, undefined);
  });

  test('nodes are plain JSON (no functions, no undefined)', () => {
    const text = JSON.stringify(spec.json);
    assert.deepEqual(JSON.parse(text), spec.json);
    assert.ok(!text.includes('undefined'));
  });
});

test('s.conditions: metav1.Condition items, the required fields, optional map list type', () => {
  const plain = s.conditions().json;
  assert.equal(plain.type, 'array');
  assert.deepEqual(plain.items?.required, ['type', 'status', 'reason', 'message', 'lastTransitionTime']);
  assert.deepEqual(plain.items?.properties?.['status']?.enum, ['True', 'False', 'Unknown']);
  assert.equal(plain.items?.properties?.['lastTransitionTime']?.format, 'date-time');
  assert.equal(plain['x-kubernetes-list-type'], undefined);
  const keyed = s.conditions({ listType: 'map', typeDescription: 'Ready or not.' }).json;
  assert.equal(keyed['x-kubernetes-list-type'], 'map');
  assert.deepEqual(keyed['x-kubernetes-list-map-keys'], ['type']);
  assert.equal(keyed.items?.properties?.['type']?.description, 'Ready or not.');
});
