// The schema builder: one definition gives a TypeScript type (Infer<>) and a structural OpenAPI v3 schema for CRDs.
import type { Condition } from '../conditions.js';
import { ConfigurationError } from '../errors.js';

/**
 * A CEL validation rule (`x-kubernetes-validations`, Kubernetes >= 1.25): the API server evaluates `rule` with
 * `self` bound to the field's value and refuses the object with `message` when it is false.
 */
export interface ValidationRule {
  /** CEL expression, e.g. `self.minReplicas <= self.maxReplicas`. */
  rule: string;
  /** Shown to whoever applied the object. Fixed text: it never includes the value. */
  message?: string;
  /** CEL expression that builds the message (may quote values: avoid it on secret fields). */
  messageExpression?: string;
  /**
   * The error type. `FieldValueForbidden` errors do not quote the refused value (use it on secret fields);
   * `FieldValueInvalid` (the API server's default) does.
   */
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  /** Where to report the error, relative to this field (e.g. `.spec.maxReplicas`). */
  fieldPath?: string;
  /** Evaluate on create too, with `oldSelf` an optional (transition rules). */
  optionalOldSelf?: boolean;
}

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps that the builder emits. */
export interface JsonSchemaProps {
  /** The JSON type of the value; absent only on an int-or-string node. */
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  /** What the field is for, as `kubectl explain` shows it. */
  description?: string;
  /** The OpenAPI format (`date-time`, `int64`, `byte`...). */
  format?: string;
  /** A regular expression a string must match. */
  pattern?: string;
  /** The only values allowed. */
  enum?: readonly (string | number)[];
  /** The shortest string allowed. */
  minLength?: number;
  /** The longest string allowed. */
  maxLength?: number;
  /** The smallest number allowed. */
  minimum?: number;
  /** The largest number allowed. */
  maximum?: number;
  /** The fewest items an array may have. */
  minItems?: number;
  /** The most items an array may have. */
  maxItems?: number;
  /** The fewest properties an object or map may have. */
  minProperties?: number;
  /** The most properties an object or map may have. */
  maxProperties?: number;
  /** The schemas of an object's known properties. */
  properties?: Record<string, JsonSchemaProps>;
  /** The properties an object must have. */
  required?: string[];
  /** The schema of every item of an array. */
  items?: JsonSchemaProps;
  /** The schema of every value of a map (an object with arbitrary keys). */
  additionalProperties?: JsonSchemaProps;
  /** Whether `null` is an accepted value. */
  nullable?: boolean;
  /** The value the API server fills in when the field is absent. */
  default?: unknown;
  /** Keep fields this schema does not describe instead of pruning them. */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** Accept an integer or a string. */
  'x-kubernetes-int-or-string'?: boolean;
  /** How server-side apply merges the list: whole (`atomic`), as a set of scalars, or as a map keyed by the list-map keys. */
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  /** The item fields that identify an item of a `map` list. */
  'x-kubernetes-list-map-keys'?: string[];
  /** CEL rules the API server checks on the value. */
  'x-kubernetes-validations'?: ValidationRule[];
}

/**
 * A schema node: `T` is the TypeScript type of the values it describes (phantom: never set at run time).
 * `optional` marks a property that may be absent from its parent object.
 */
export interface Schema<T, Optional extends boolean = false> {
  /** Carries `T` for `Infer`; never set. */
  readonly __type?: T;
  /** Whether the property may be absent from its parent object (set by `s.optional`). */
  readonly optional: Optional;
  /** The OpenAPI v3 schema of the node, as it goes into the CRD. */
  readonly json: JsonSchemaProps;
}

/** The TypeScript type a schema describes: `type Spec = Infer<typeof spec>`. */
export type Infer<S> = S extends Schema<infer T, boolean> ? T : never;

type AnySchema = Schema<unknown, boolean>;
type Shape = Record<string, AnySchema>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends Schema<unknown, true> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Schema<unknown, true> ? K : never }[keyof S];

/** The object type of a shape: optional() properties become `?:` keys. */
export type InferShape<S extends Shape> = Simplify<{ [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }>;

interface Common<T> {
  /** Shown by `kubectl explain`: say what the field is for. */
  description?: string;
  /** Applied by the API server when the field is absent (apiextensions v1 structural defaulting). */
  default?: T;
  nullable?: boolean;
  /**
   * CEL rules the API server checks at apply time. Bound what they read (maxLength, maxItems, maxProperties):
   * the API server refuses rules whose estimated cost on the largest possible value is over its budget.
   */
  validations?: readonly ValidationRule[];
}

export interface StringOptions<E extends string = string> extends Common<E> {
  pattern?: string;
  enum?: readonly E[];
  minLength?: number;
  maxLength?: number;
  /** OpenAPI format, e.g. 'date-time', 'byte', 'hostname'. */
  format?: string;
}

export interface NumberOptions extends Common<number> {
  minimum?: number;
  maximum?: number;
  format?: 'int32' | 'int64' | 'float' | 'double';
}

export interface ArrayOptions<T> extends Common<T[]> {
  minItems?: number;
  maxItems?: number;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
}

export interface ObjectOptions<T> extends Common<T> {
  minProperties?: number;
  maxProperties?: number;
}

const ruleReasons = new Set(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate']);

/** `x-kubernetes-validations` for a node, checked here as far as can be without the API server. */
export function rules(options: { validations?: readonly ValidationRule[] | undefined }): Partial<JsonSchemaProps> {
  const list = options.validations;
  if (!list?.length) return {};
  for (const [i, r] of list.entries()) {
    const where = `validations[${i}]`;
    if (typeof r.rule !== 'string' || !r.rule.trim())
      throw new ConfigurationError(`schema: ${where}.rule must be a non-empty CEL expression`);
    if (r.message !== undefined && (!r.message.trim() || /[\r\n]/.test(r.message))) {
      throw new ConfigurationError(`schema: ${where}.message must be non-empty and on one line (the API server refuses line breaks)`);
    }
    if (r.reason !== undefined && !ruleReasons.has(r.reason))
      throw new ConfigurationError(`schema: ${where}.reason must be one of ${[...ruleReasons].join(', ')}`);
    if (r.fieldPath !== undefined && !r.fieldPath.startsWith('.'))
      throw new ConfigurationError(`schema: ${where}.fieldPath must start with "." (relative to the field)`);
  }
  // A stable key order, so generated YAML diffs well.
  return {
    'x-kubernetes-validations': list.map(
      (r) => pick(r, ['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf']) as ValidationRule,
    ),
  };
}

function node<T>(json: JsonSchemaProps, options: { validations?: readonly ValidationRule[] | undefined } = {}): Schema<T> {
  return { optional: false, json: { ...json, ...rules(options) } };
}

/** Copy only the options that are set, in a stable key order (so generated YAML diffs well). */
function pick(options: object, keys: string[]): Partial<JsonSchemaProps> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<JsonSchemaProps>;
}

const commonKeys = ['description', 'nullable', 'default'];

function string<const E extends string = string>(options: StringOptions<E> = {}): Schema<string extends E ? string : E> {
  return node(
    { type: 'string', ...pick(options, ['description', 'format', 'pattern', 'enum', 'minLength', 'maxLength', 'nullable', 'default']) },
    options,
  );
}

function integer(options: NumberOptions = {}): Schema<number> {
  return node({ type: 'integer', ...pick(options, ['description', 'format', 'minimum', 'maximum', 'nullable', 'default']) }, options);
}

function number(options: NumberOptions = {}): Schema<number> {
  return node({ type: 'number', ...pick(options, ['description', 'format', 'minimum', 'maximum', 'nullable', 'default']) }, options);
}

function boolean(options: Common<boolean> = {}): Schema<boolean> {
  return node({ type: 'boolean', ...pick(options, commonKeys) }, options);
}

function object<S extends Shape>(shape: S, options: ObjectOptions<InferShape<S>> = {}): Schema<InferShape<S>> {
  const properties: Record<string, JsonSchemaProps> = {};
  const required: string[] = [];
  for (const [key, child] of Object.entries(shape)) {
    properties[key] = child.json;
    if (!child.optional) required.push(key);
  }
  return node(
    {
      type: 'object',
      ...pick(options, ['description']),
      properties,
      ...(required.length ? { required } : {}),
      ...pick(options, ['minProperties', 'maxProperties', 'nullable', 'default']),
    },
    options,
  );
}

function array<I extends AnySchema>(items: I, options: ArrayOptions<Infer<I>> = {}): Schema<Infer<I>[]> {
  return node(
    {
      type: 'array',
      ...pick(options, ['description', 'minItems', 'maxItems']),
      items: items.json,
      ...(options.listType ? { 'x-kubernetes-list-type': options.listType } : {}),
      ...(options.listMapKeys ? { 'x-kubernetes-list-map-keys': options.listMapKeys } : {}),
      ...pick(options, ['nullable', 'default']),
    },
    options,
  );
}

/** A map with string keys (`additionalProperties`), like labels. */
function map<V extends AnySchema>(values: V, options: ObjectOptions<Record<string, Infer<V>>> = {}): Schema<Record<string, Infer<V>>> {
  return node(
    {
      type: 'object',
      ...pick(options, ['description']),
      additionalProperties: values.json,
      ...pick(options, ['minProperties', 'maxProperties', 'nullable', 'default']),
    },
    options,
  );
}

/** A property that may be absent: `{ key?: T }` in the type, not listed in `required`. */
function optional<T>(schema: Schema<T, boolean>): Schema<T | undefined, true> {
  return { optional: true, json: schema.json };
}

/** Free-form JSON the API server keeps as is (no pruning below this node). */
function preserveUnknown(options: { description?: string; validations?: readonly ValidationRule[] } = {}): Schema<Record<string, unknown>> {
  return node({ type: 'object', ...pick(options, ['description']), 'x-kubernetes-preserve-unknown-fields': true }, options);
}

/** An integer or a string (like a port name or a percentage). */
function intOrString(
  options: { description?: string; pattern?: string; validations?: readonly ValidationRule[] } = {},
): Schema<number | string> {
  return node({ ...pick(options, ['description', 'pattern']), 'x-kubernetes-int-or-string': true }, options);
}

/** An RFC 3339 timestamp, as a string. */
function dateTime(options: Common<string> = {}): Schema<string> {
  return node(
    { type: 'string', ...pick(options, ['description']), format: 'date-time', ...pick(options, ['nullable', 'default']) },
    options,
  );
}

export interface ConditionsOptions {
  description?: string;
  /** What the condition types are (e.g. "Ready says whether..."). */
  typeDescription?: string;
  /** Example reasons, for `kubectl explain`. */
  reasonDescription?: string;
  messageDescription?: string;
  /** What one condition is (default: metav1.Condition of "the object"). */
  itemDescription?: string;
  /** `map` keyed by `type` lets server-side apply merge conditions of different managers; default atomic. */
  listType?: 'atomic' | 'map';
}

/** `status.conditions`: a list of metav1.Condition, as setCondition() writes them. */
function conditions(options: ConditionsOptions = {}): Schema<Condition[]> {
  const condition = object(
    {
      type: string({ description: options.typeDescription ?? 'Type of the condition, in CamelCase.' }),
      status: string({ description: 'True, False or Unknown.', enum: ['True', 'False', 'Unknown'] }),
      reason: string({ description: options.reasonDescription ?? 'CamelCase reason for the last transition.' }),
      message: string({ description: options.messageDescription ?? 'Human-readable detail of the last transition.' }),
      lastTransitionTime: dateTime({ description: 'When the status last changed.' }),
      observedGeneration: optional(integer({ description: 'The metadata.generation this condition was computed for.', format: 'int64' })),
    },
    { description: options.itemDescription ?? 'A metav1.Condition: the latest observation of one aspect of the object.' },
  );
  return array(condition, {
    description: options.description ?? 'Conditions of the object.',
    ...(options.listType === 'map' ? { listType: 'map' as const, listMapKeys: ['type'] } : {}),
  }) as Schema<Condition[]>;
}

/** The builder: `s.object({ name: s.string({ description: '...' }), port: s.optional(s.integer()) })`. */
export const s = {
  /** A string, with an optional pattern, enum, length bounds or format; an enum narrows the type to its values. */
  string,
  /** An integer, with optional bounds and format (`int32`, `int64`). */
  integer,
  /** A number (fractions allowed), with optional bounds and format. */
  number,
  /** A boolean. */
  boolean,
  /** An object with the given properties; those not wrapped in `optional` are required. */
  object,
  /** An array of items of one schema; `listType` says how server-side apply merges it. */
  array,
  /** A map with string keys (`additionalProperties`), like labels. */
  map,
  /** A property that may be absent: `{ key?: T }` in the type, not listed in `required`. */
  optional,
  /** Free-form JSON the API server keeps as is (no pruning below this node). */
  preserveUnknown,
  /** An integer or a string (like a port name or a percentage). */
  intOrString,
  /** An RFC 3339 timestamp, as a string. */
  dateTime,
  /** `status.conditions`: a list of metav1.Condition, as setCondition() writes them. */
  conditions,
};
