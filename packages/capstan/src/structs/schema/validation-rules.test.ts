// Tests of CEL validation rules and selectable fields: what the builder emits and what it refuses before the API server would.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../errors.js';
import { s, type JsonSchemaProps, type ValidationRule } from './builder.js';
import { defineCustomResource } from './custom-resource.js';

const minMax: ValidationRule = { rule: 'self.min <= self.max', message: 'min must not exceed max', fieldPath: '.min' };

describe('CEL validation rules', () => {
  test('every kind of node carries its rules last, with keys in a stable order', () => {
    const cases: Array<[string, JsonSchemaProps, ValidationRule[]]> = [
      [
        'string',
        s.string({
          maxLength: 64,
          validations: [{ rule: "self.startsWith('a')", message: 'starts with a', reason: 'FieldValueForbidden' }],
        }).json,
        [{ rule: "self.startsWith('a')", message: 'starts with a', reason: 'FieldValueForbidden' }],
      ],
      [
        'integer',
        s.integer({ validations: [{ rule: 'self % 2 == 0', messageExpression: "'odd: ' + string(self)" }] }).json,
        [{ rule: 'self % 2 == 0', messageExpression: "'odd: ' + string(self)" }],
      ],
      ['object', s.object({ min: s.integer(), max: s.integer() }, { validations: [minMax] }).json, [minMax]],
      [
        'map',
        s.map(s.string({ maxLength: 10 }), { maxProperties: 4, validations: [{ rule: "!('x' in self)" }] }).json,
        [{ rule: "!('x' in self)" }],
      ],
      [
        'array',
        s.array(s.string({ maxLength: 5 }), { maxItems: 3, validations: [{ rule: 'self.all(x, x != "")' }] }).json,
        [{ rule: 'self.all(x, x != "")' }],
      ],
      [
        'transition',
        s.string({ validations: [{ rule: 'self == oldSelf', message: 'immutable', optionalOldSelf: false }] }).json,
        [{ rule: 'self == oldSelf', message: 'immutable', optionalOldSelf: false }],
      ],
    ];
    for (const [name, json, want] of cases) {
      assert.deepEqual(json['x-kubernetes-validations'], want, name);
      assert.equal(Object.keys(json).at(-1), 'x-kubernetes-validations', `${name}: rules come last`);
    }
  });

  test('optional() keeps the rules; nodes without rules have no key', () => {
    assert.deepEqual(s.optional(s.string({ validations: [{ rule: 'size(self) > 0' }] })).json['x-kubernetes-validations'], [
      { rule: 'size(self) > 0' },
    ]);
    assert.equal('x-kubernetes-validations' in s.string().json, false);
    assert.equal('x-kubernetes-validations' in s.string({ validations: [] }).json, false);
  });

  test('maps and objects take minProperties/maxProperties (bounds that keep a rule within the cost budget)', () => {
    assert.deepEqual(s.map(s.string(), { minProperties: 1, maxProperties: 8 }).json, {
      type: 'object',
      additionalProperties: { type: 'string' },
      minProperties: 1,
      maxProperties: 8,
    });
  });

  test('bad rules are refused with a precise message', () => {
    const bad: Array<[ValidationRule, RegExp]> = [
      [{ rule: '' }, /validations\[0\]\.rule must be a non-empty CEL expression/],
      [{ rule: '   ' }, /non-empty CEL expression/],
      [{ rule: 'true', message: 'two\nlines' }, /validations\[0\]\.message must be non-empty and on one line/],
      [{ rule: 'true', message: '' }, /message must be non-empty/],
      [{ rule: 'true', reason: 'Nope' as ValidationRule['reason'] }, /reason must be one of FieldValueInvalid, FieldValueForbidden/],
      [{ rule: 'true', fieldPath: 'spec.x' }, /fieldPath must start with "\."/],
    ];
    for (const [rule, message] of bad)
      assert.throws(
        () => s.string({ validations: [rule] }),
        (e: Error) => e instanceof ConfigurationError && message.test(e.message),
        JSON.stringify(rule),
      );
  });
});

describe('selectable fields and object-level rules', () => {
  const spec = s.object({
    color: s.string({ enum: ['red', 'blue'] }),
    size: s.optional(s.integer()),
    on: s.optional(s.boolean()),
    nested: s.object({ tier: s.string() }),
    tags: s.optional(s.array(s.string())),
  });
  const define = (selectableFields: string[], validations?: ValidationRule[]) =>
    defineCustomResource({
      group: 'example.com',
      version: 'v1',
      kind: 'Gizmo',
      plural: 'gizmos',
      spec,
      selectableFields,
      ...(validations ? { validations } : {}),
    });

  test('are emitted on the version, in order', () => {
    const { crd } = define(
      ['.spec.color', '.spec.size', '.spec.on', '.spec.nested.tier'],
      [{ rule: "self.metadata.name != 'forbidden'", message: 'that name is reserved' }],
    );
    const version = crd.spec.versions[0]!;
    assert.deepEqual(version.selectableFields, [
      { jsonPath: '.spec.color' },
      { jsonPath: '.spec.size' },
      { jsonPath: '.spec.on' },
      { jsonPath: '.spec.nested.tier' },
    ]);
    assert.deepEqual(version.schema.openAPIV3Schema['x-kubernetes-validations'], [
      { rule: "self.metadata.name != 'forbidden'", message: 'that name is reserved' },
    ]);
    assert.equal('selectableFields' in define([]).crd.spec.versions[0]!, false);
  });

  test('paths that the API server would refuse are refused here, naming the path and why', () => {
    const bad: Array<[string[], RegExp]> = [
      [['spec.color'], /"spec.color" must be a JSON path like \.spec\.color/],
      [['.spec.missing'], /"\.spec\.missing": "missing" is not a declared property/],
      [['.spec.nested'], /must be a string, integer or boolean \(it is object\)/],
      [['.spec.tags'], /\(it is array\)/],
      [['.metadata.name'], /is selectable already/],
      [['.spec.color', '.spec.color'], /must be distinct/],
      [Array.from({ length: 9 }, () => '.spec.color'), /at most 8 selectable fields/],
    ];
    for (const [paths, message] of bad)
      assert.throws(
        () => define(paths),
        (e: Error) => e instanceof ConfigurationError && message.test(e.message),
        paths.join(','),
      );
  });
});
