// defineCustomResource: a typed custom resource (TS types + ResourceRef) and its CustomResourceDefinition from one definition.
import { ConfigurationError } from '../errors.js';
import type { KubeObject, ObjectMeta, ResourceRef } from '../objects.js';
import { rules, type Infer, type JsonSchemaProps, type Schema, type ValidationRule } from './builder.js';

/** A column of `kubectl get` for the resource (additionalPrinterColumns). */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** A simple JSONPath into the object, e.g. `.status.conditions[?(@.type=="Ready")].status`. */
  jsonPath: string;
  description?: string;
  /** 0 shows in the default view; higher only with `-o wide`. */
  priority?: number;
  format?: string;
}

/** What `defineCustomResource` needs: names, the spec and status schemas, and the CRD's extras. */
export interface CustomResourceOptions<Spec extends Schema<unknown, boolean>, Status extends Schema<unknown, boolean> | undefined> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  /** Default: the kind in lower case. */
  singular?: string;
  shortNames?: string[];
  categories?: string[];
  /** Default 'Namespaced'. */
  scope?: 'Namespaced' | 'Cluster';
  /** What the resource is for (top of `kubectl explain`). */
  description?: string;
  spec: Spec;
  status?: Status;
  printerColumns?: PrinterColumn[];
  /** Add an `Age` column after the printer columns (kubectl drops its own when columns are given). Default true. */
  ageColumn?: boolean;
  /** Default: a status subresource when there is a status schema. */
  subresources?: { status?: boolean; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  /**
   * Fields the API server can filter lists and watches by (`fieldSelector=spec.color=red`, Kubernetes >= 1.32;
   * at most 8): JSON paths like `.spec.color` to a string, integer or boolean field of the schema.
   */
  selectableFields?: string[];
  /** CEL rules on the whole object (`self` is the object): e.g. cross-field checks between spec and metadata. */
  validations?: ValidationRule[];
  /**
   * Other served versions, each converting to and from this one (the hub: `version` above). The operator serves the
   * conversion webhook for them once it `converts(resource)`.
   */
  otherVersions?: OtherVersion[];
  /** The version etcd stores. Default: `version`. */
  storageVersion?: string;
}

/** Another served version of a custom resource: its schemas and its conversion to and from the hub version. */
export interface OtherVersion {
  name: string;
  spec: Schema<unknown, boolean>;
  status?: Schema<unknown, boolean>;
  /** Default true. */
  served?: boolean;
  /** A warning the API server returns to clients of this version. */
  deprecationWarning?: string;
  /** An object of this version as the hub version's (apiVersion and kind are set by capstan). */
  toHub(object: KubeObject): KubeObject;
  /** A hub-version object as this version's. */
  fromHub(object: KubeObject): KubeObject;
}

/** apiextensions.k8s.io/v1 CustomResourceDefinition as plain JSON (send it as is: no client-node models). */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JsonSchemaProps };
      subresources?: Record<string, unknown>;
      additionalPrinterColumns?: PrinterColumn[];
      selectableFields?: { jsonPath: string }[];
      deprecated?: boolean;
      deprecationWarning?: string;
    }[];
  };
}

/** A defined custom resource: its CRD, its reference for `op.resource()` and the client, and typed builders. */
export interface CustomResource<Spec, Status> {
  readonly crd: CustomResourceDefinition;
  readonly ref: Required<Pick<ResourceRef, 'group' | 'version' | 'plural' | 'kind'>>;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** The hub version and the other versions' conversions (empty without otherVersions). */
  readonly conversions: { hub: string; versions: ReadonlyMap<string, Pick<OtherVersion, 'toHub' | 'fromHub'>> };
  /** A complete object body (apiVersion and kind filled in) for create/apply. */
  build(init: { metadata: ObjectMeta; spec: Spec; status?: Status }): KubeObject<Spec, Status> & { spec: Spec };
  /** Phantom members for type extraction: `typeof AgeSecrets.$object`. Undefined at run time. */
  readonly $spec: Spec;
  readonly $status: Status;
  readonly $object: KubeObject<Spec, Status>;
}

/** The object type of a defined resource: `type Widget = ObjectOf<typeof Widgets>` (spec: `typeof Widgets.$spec`). */
export type ObjectOf<R> = R extends CustomResource<infer S, infer T> ? KubeObject<S, T> : never;

const dns1123Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const kindName = /^[A-Z][A-Za-z0-9]*$/;
const versionName = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;

function check(ok: boolean, message: string): void {
  if (!ok) throw new ConfigurationError(`defineCustomResource: ${message}`);
}

const MAX_SELECTABLE_FIELDS = 8;
const selectableTypes = new Set(['string', 'integer', 'boolean']);

/** A selectable field must name a scalar the schema declares (the API server refuses anything else). */
function checkSelectableField(path: string, root: JsonSchemaProps): void {
  check(/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path), `selectable field "${path}" must be a JSON path like .spec.color`);
  check(path !== '.metadata.name' && path !== '.metadata.namespace', `selectable field "${path}" is selectable already`);
  let at: JsonSchemaProps | undefined = root;
  for (const segment of path.slice(1).split('.')) {
    check(at?.type === 'object' && !!at.properties?.[segment], `selectable field "${path}": "${segment}" is not a declared property`);
    at = at?.properties?.[segment];
  }
  check(
    !!at?.type && selectableTypes.has(at.type),
    `selectable field "${path}" must be a string, integer or boolean (it is ${at?.type ?? 'untyped'})`,
  );
}

/**
 * A typed custom resource from one schema: its TypeScript types (`ObjectOf<typeof R>`), its CRD (`R.crd`, for
 * `capstan generate` and `kubectl apply`), its ref for `operator.resource(R.ref)` and a `build()` for bodies.
 */
export function defineCustomResource<
  Spec extends Schema<unknown, boolean>,
  Status extends Schema<unknown, boolean> | undefined = undefined,
>(
  options: CustomResourceOptions<Spec, Status>,
): CustomResource<Infer<Spec>, Status extends Schema<unknown, boolean> ? Infer<Status> : undefined> {
  const { group, version, kind, plural } = options;
  const singular = options.singular ?? kind.toLowerCase();
  check(dnsSubdomain.test(group), `group "${group}" must be a DNS subdomain with at least one dot (e.g. example.com)`);
  check(versionName.test(version), `version "${version}" must look like v1, v1beta1 or v2alpha3`);
  check(kindName.test(kind), `kind "${kind}" must be CamelCase starting with an upper-case letter`);
  check(dns1123Label.test(plural), `plural "${plural}" must be lower-case (DNS label)`);
  check(dns1123Label.test(singular), `singular "${singular}" must be lower-case (DNS label)`);
  for (const short of options.shortNames ?? []) check(dns1123Label.test(short), `short name "${short}" must be lower-case (DNS label)`);
  check(
    options.spec.json.type === 'object' || options.spec.json['x-kubernetes-preserve-unknown-fields'] === true,
    'spec must be an s.object() or s.preserveUnknown()',
  );

  const properties: Record<string, JsonSchemaProps> = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { type: 'object' },
    spec: options.spec.json,
  };
  if (options.status) properties.status = options.status.json;
  const openAPIV3Schema: JsonSchemaProps = {
    type: 'object',
    ...(options.description ? { description: options.description } : {}),
    properties,
    ...(options.spec.optional ? {} : { required: ['spec'] }),
    ...rules(options),
  };
  const selectable = options.selectableFields ?? [];
  check(selectable.length <= MAX_SELECTABLE_FIELDS, `at most ${MAX_SELECTABLE_FIELDS} selectable fields (the API server's limit)`);
  check(new Set(selectable).size === selectable.length, 'selectable fields must be distinct');
  for (const path of selectable) checkSelectableField(path, openAPIV3Schema);

  const columns = [...(options.printerColumns ?? [])];
  if ((options.ageColumn ?? true) && columns.length && !columns.some((c) => c.name === 'Age')) {
    columns.push({ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' });
  }
  const subresources: Record<string, unknown> = {};
  if (options.subresources?.status ?? !!options.status) subresources.status = {};
  if (options.subresources?.scale) subresources.scale = options.subresources.scale;

  const others = options.otherVersions ?? [];
  const names = [version, ...others.map((o) => o.name)];
  for (const o of others) check(versionName.test(o.name), `version "${o.name}" must look like v1, v1beta1 or v2alpha3`);
  check(new Set(names).size === names.length, `versions must be distinct: ${names.join(', ')}`);
  check(names.includes(options.storageVersion ?? version), `storageVersion "${options.storageVersion}" is not one of ${names.join(', ')}`);

  const scope = options.scope ?? 'Namespaced';
  const crd: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular,
        ...(options.shortNames?.length ? { shortNames: options.shortNames } : {}),
        ...(options.categories?.length ? { categories: options.categories } : {}),
      },
      scope,
      versions: [
        {
          name: version,
          served: true,
          storage: (options.storageVersion ?? version) === version,
          schema: { openAPIV3Schema },
          ...(Object.keys(subresources).length ? { subresources } : {}),
          ...(columns.length ? { additionalPrinterColumns: columns } : {}),
          ...(selectable.length ? { selectableFields: selectable.map((jsonPath) => ({ jsonPath })) } : {}),
        },
        ...others.map((o) => ({
          name: o.name,
          served: o.served ?? true,
          storage: options.storageVersion === o.name,
          schema: {
            openAPIV3Schema: {
              type: 'object' as const,
              properties: { ...properties, spec: o.spec.json, ...(o.status ? { status: o.status.json } : {}) },
              ...(o.spec.optional ? {} : { required: ['spec'] }),
            },
          },
          ...(Object.keys(subresources).length ? { subresources } : {}),
          ...(columns.length ? { additionalPrinterColumns: columns } : {}),
          ...(o.deprecationWarning ? { deprecated: true, deprecationWarning: o.deprecationWarning } : {}),
        })),
      ],
    },
  };
  const apiVersion = `${group}/${version}`;
  type S = Infer<Spec>;
  type T = Status extends Schema<unknown, boolean> ? Infer<Status> : undefined;
  return {
    crd,
    ref: { group, version, plural, kind },
    apiVersion,
    kind,
    namespaced: scope === 'Namespaced',
    conversions: { hub: version, versions: new Map(others.map((o) => [o.name, { toHub: o.toHub, fromHub: o.fromHub }])) },
    build: (init: { metadata: ObjectMeta; spec: S; status?: T }) => ({ apiVersion, kind, ...init }),
    $spec: undefined as S,
    $status: undefined as T,
    $object: undefined as unknown as KubeObject<S, T>,
  };
}

/** Whether a module export looks like a defined custom resource (for the `capstan crd` command). */
export function isCustomResource(value: unknown): value is CustomResource<unknown, unknown> {
  if (!value || typeof value !== 'object') return false;
  const crd = (value as { crd?: { kind?: unknown; apiVersion?: unknown } }).crd;
  return !!crd && crd.kind === 'CustomResourceDefinition' && crd.apiVersion === 'apiextensions.k8s.io/v1';
}
