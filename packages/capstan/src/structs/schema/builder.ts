// The schema builder: one definition gives a TypeScript type (Infer<>) and a structural OpenAPI v3 schema for CRDs.

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps that the builder emits. */
export interface JsonSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  pattern?: string;
  enum?: readonly (string | number)[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchemaProps>;
  required?: string[];
  items?: JsonSchemaProps;
  additionalProperties?: JsonSchemaProps;
  nullable?: boolean;
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
}

/**
 * A schema node: `T` is the TypeScript type of the values it describes (phantom: never set at run time).
 * `optional` marks a property that may be absent from its parent object.
 */
export interface Schema<T, Optional extends boolean = false> {
  readonly __type?: T;
  readonly optional: Optional;
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
export type InferShape<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

interface Common<T> {
  /** Shown by `kubectl explain`: say what the field is for. */
  description?: string;
  /** Applied by the API server when the field is absent (apiextensions v1 structural defaulting). */
  default?: T;
  nullable?: boolean;
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

export type ObjectOptions<T> = Common<T>;

function node<T>(json: JsonSchemaProps): Schema<T> {
  return { optional: false, json };
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
  return node({ type: 'string', ...pick(options, ['description', 'format', 'pattern', 'enum', 'minLength', 'maxLength', 'nullable', 'default']) });
}

function integer(options: NumberOptions = {}): Schema<number> {
  return node({ type: 'integer', ...pick(options, ['description', 'format', 'minimum', 'maximum', 'nullable', 'default']) });
}

function number(options: NumberOptions = {}): Schema<number> {
  return node({ type: 'number', ...pick(options, ['description', 'format', 'minimum', 'maximum', 'nullable', 'default']) });
}

function boolean(options: Common<boolean> = {}): Schema<boolean> {
  return node({ type: 'boolean', ...pick(options, commonKeys) });
}

function object<S extends Shape>(shape: S, options: ObjectOptions<InferShape<S>> = {}): Schema<InferShape<S>> {
  const properties: Record<string, JsonSchemaProps> = {};
  const required: string[] = [];
  for (const [key, child] of Object.entries(shape)) {
    properties[key] = child.json;
    if (!child.optional) required.push(key);
  }
  return node({
    type: 'object',
    ...pick(options, ['description']),
    properties,
    ...(required.length ? { required } : {}),
    ...pick(options, ['nullable', 'default']),
  });
}

function array<I extends AnySchema>(items: I, options: ArrayOptions<Infer<I>> = {}): Schema<Infer<I>[]> {
  return node({
    type: 'array',
    ...pick(options, ['description', 'minItems', 'maxItems']),
    items: items.json,
    ...(options.listType ? { 'x-kubernetes-list-type': options.listType } : {}),
    ...(options.listMapKeys ? { 'x-kubernetes-list-map-keys': options.listMapKeys } : {}),
    ...pick(options, ['nullable', 'default']),
  });
}

/** A map with string keys (`additionalProperties`), like labels. */
function map<V extends AnySchema>(values: V, options: ObjectOptions<Record<string, Infer<V>>> = {}): Schema<Record<string, Infer<V>>> {
  return node({ type: 'object', ...pick(options, ['description']), additionalProperties: values.json, ...pick(options, ['nullable', 'default']) });
}

/** A property that may be absent: `{ key?: T }` in the type, not listed in `required`. */
function optional<T>(schema: Schema<T, boolean>): Schema<T | undefined, true> {
  return { optional: true, json: schema.json };
}

/** Free-form JSON the API server keeps as is (no pruning below this node). */
function preserveUnknown(options: { description?: string } = {}): Schema<Record<string, unknown>> {
  return node({ type: 'object', ...pick(options, ['description']), 'x-kubernetes-preserve-unknown-fields': true });
}

/** An integer or a string (like a port name or a percentage). */
function intOrString(options: { description?: string; pattern?: string } = {}): Schema<number | string> {
  return node({ ...pick(options, ['description', 'pattern']), 'x-kubernetes-int-or-string': true });
}

/** An RFC 3339 timestamp, as a string. */
function dateTime(options: Common<string> = {}): Schema<string> {
  return node({ type: 'string', ...pick(options, ['description']), format: 'date-time', ...pick(options, ['nullable', 'default']) });
}

/** The builder: `s.object({ name: s.string({ description: '...' }), port: s.optional(s.integer()) })`. */
export const s = { string, integer, number, boolean, object, array, map, optional, preserveUnknown, intOrString, dateTime };
