// The AgeSecret custom resource: its TypeScript type and its CustomResourceDefinition, defined together.
import { stringify } from 'yaml';
import { AGE_CIPHERTEXT_RULE } from './crypto/ciphertext.js';

export const GROUP = 'pyvo.io';
export const VERSION = 'v1';
export const PLURAL = 'agesecrets';
export const KIND = 'AgeSecret';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface AgeSecretSpec {
  secretName?: string;
  secretKey?: string;
  secret?: string;
  ageSecretRef?: string;
  data?: Record<string, string>;
  type?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface AgeSecretStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  secretName?: string;
}

export interface AgeSecret {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec: AgeSecretSpec;
  status?: AgeSecretStatus;
}

const stringMap = (description: string) => ({ description, type: 'object', additionalProperties: { type: 'string' } });

const specSchema = {
  description: 'What to decrypt and the Secret to write it to. Either secretKey + secret (the seed format), or data, or both.',
  type: 'object',
  properties: {
    secretName: {
      description: 'Name of the Secret to create in this namespace (a DNS subdomain). The operator never overwrites a Secret it does not own; when this changes, the old Secret is deleted.',
      type: 'string',
    },
    secretKey: {
      description: 'Key of the decrypted `secret` value in the generated Secret (letters, digits, "-", "_", ".").',
      type: 'string',
    },
    secret: {
      description: 'The age-encrypted value for secretKey: ENC[<base64 of an age file>] (what `age-secret encrypt` writes), bare base64 of an age file, or ASCII-armored age. Plaintext is refused when applied.',
      type: 'string',
      'x-kubernetes-validations': [AGE_CIPHERTEXT_RULE],
    },
    ageSecretRef: {
      description: 'Name of a Secret in this namespace whose key `secretKey` holds the age identities (AGE-SECRET-KEY-1..., one per line, comments allowed, so keys can rotate). When absent, the operator-wide default identity Secret is used if the operator enables one.',
      type: 'string',
    },
    data: {
      description: 'More keys of the generated Secret: key -> age-encrypted value (same formats as `secret`; plaintext is refused when applied). Merged with secretKey/secret; a key may not appear in both. At most 1024 keys.',
      type: 'object',
      // Bounds the CEL rule's estimated cost (the API server refuses an unbounded map of checked strings).
      maxProperties: 1024,
      additionalProperties: { type: 'string', 'x-kubernetes-validations': [AGE_CIPHERTEXT_RULE] },
    },
    type: {
      description: 'Type of the generated Secret, e.g. Opaque (default), kubernetes.io/dockerconfigjson, kubernetes.io/tls, kubernetes.io/basic-auth.',
      type: 'string',
    },
    labels: stringMap('Labels to put on the generated Secret.'),
    annotations: stringMap('Annotations to put on the generated Secret.'),
  },
};

const conditionSchema = {
  description: 'A metav1.Condition: the latest observation of one aspect of the AgeSecret.',
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: { description: 'Condition type; Ready says whether the Secret matches the AgeSecret.', type: 'string' },
    status: { description: 'True, False or Unknown.', type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { description: 'CamelCase reason for the status, e.g. Decrypted, NoMatchingKey, SecretNotOwned.', type: 'string' },
    message: { description: 'Human-readable detail; never contains secret values.', type: 'string' },
    lastTransitionTime: { description: 'When the status last changed.', type: 'string', format: 'date-time' },
    observedGeneration: { description: 'The metadata.generation this condition was computed for.', type: 'integer', format: 'int64' },
  },
};

// No x-kubernetes-preserve-unknown-fields (the seed had it for kopf's bookkeeping): the operator writes only
// these fields, and the API server publishes no schema below such a node (kubectl explain would go blind).
const statusSchema = {
  description: 'Observed state, written by the operator.',
  type: 'object',
  properties: {
    conditions: { description: 'Conditions of the AgeSecret; Ready is the one to watch.', type: 'array', items: conditionSchema },
    observedGeneration: { description: 'The metadata.generation last reconciled.', type: 'integer', format: 'int64' },
    secretName: { description: 'Name of the Secret the operator currently manages for this AgeSecret.', type: 'string' },
  },
};

const readyColumn = (name: string, field: string, description: string) => ({
  name, type: 'string', description, jsonPath: `.status.conditions[?(@.type=="Ready")].${field}`,
});

/** The CustomResourceDefinition, as plain JSON (typed client serialisers would drop x-kubernetes-* keys). */
export const ageSecretCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { kind: KIND, plural: PLURAL, singular: 'agesecret', listKind: 'AgeSecretList', shortNames: ['asec', 'agesec'] },
    versions: [{
      name: VERSION,
      served: true,
      storage: true,
      subresources: { status: {} },
      additionalPrinterColumns: [
        { name: 'Secret', type: 'string', description: 'The generated Secret', jsonPath: '.spec.secretName' },
        readyColumn('Ready', 'status', 'Whether the Secret is up to date'),
        readyColumn('Reason', 'reason', 'Why (or why not) it is ready'),
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      schema: {
        openAPIV3Schema: {
          description: 'AgeSecret: an age-encrypted secret that is safe to commit to git; the operator decrypts it in the cluster into a Secret it owns.',
          type: 'object',
          properties: {
            apiVersion: { description: 'API version of this object (pyvo.io/v1).', type: 'string' },
            kind: { description: 'AgeSecret.', type: 'string' },
            metadata: { type: 'object' },
            spec: specSchema,
            status: statusSchema,
          },
        },
      },
    }],
  },
} as const;

/** deploy/agesecret/crd.yaml, generated from ageSecretCrd (`npm run gen:crd -w @capstan/agesecret`). */
export function crdYaml(): string {
  return `# Generated from operators/agesecret/src/resource.ts; do not edit (npm run gen:crd -w @capstan/agesecret).\n${stringify(ageSecretCrd, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
