// The AgeSecret custom resource: its TypeScript types and its CustomResourceDefinition, from one definition.
import { defineCustomResource, s, type ObjectMeta } from 'capstan';
import { stringify } from 'yaml';
import { AGE_CIPHERTEXT_RULE } from './crypto/ciphertext.js';

export const GROUP = 'pyvo.io';
export const VERSION = 'v1';
export const PLURAL = 'agesecrets';
export const KIND = 'AgeSecret';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** The AgeSecret resource for client calls. */
export const AGESECRETS = { group: GROUP, version: VERSION, plural: PLURAL } as const;

const stringMap = (description: string) => s.optional(s.map(s.string(), { description }));

/** The AgeSecret resource: its CustomResourceDefinition and TypeScript types from one definition (capstan's schema builder). */
export const AgeSecrets = defineCustomResource({
  group: GROUP,
  version: VERSION,
  kind: KIND,
  plural: PLURAL,
  singular: 'agesecret',
  shortNames: ['asec', 'agesec'],
  description:
    'AgeSecret: an age-encrypted secret that is safe to commit to git; the operator decrypts it in the cluster into a Secret it owns.',
  spec: s.optional(
    s.object(
      {
        secretName: s.optional(
          s.string({
            description:
              'Name of the Secret to create in this namespace (a DNS subdomain). The operator never overwrites a Secret it does not own; when this changes, the old Secret is deleted.',
          }),
        ),
        secretKey: s.optional(
          s.string({ description: 'Key of the decrypted `secret` value in the generated Secret (letters, digits, "-", "_", ".").' }),
        ),
        secret: s.optional(
          s.string({
            description:
              'The age-encrypted value for secretKey: ENC[<base64 of an age file>] (what `age-secret encrypt` writes), bare base64 of an age file, or ASCII-armored age. Plaintext is refused when applied.',
            validations: [AGE_CIPHERTEXT_RULE],
          }),
        ),
        ageSecretRef: s.optional(
          s.string({
            description:
              'Name of a Secret in this namespace whose key `secretKey` holds the age identities (AGE-SECRET-KEY-1..., one per line, comments allowed, so keys can rotate). When absent, the operator-wide default identity Secret is used if the operator enables one.',
          }),
        ),
        // maxProperties bounds the CEL rule's estimated cost (the API server refuses an unbounded map of checked strings).
        data: s.optional(
          s.map(s.string({ validations: [AGE_CIPHERTEXT_RULE] }), {
            description:
              'More keys of the generated Secret: key -> age-encrypted value (same formats as `secret`; plaintext is refused when applied). Merged with secretKey/secret; a key may not appear in both. At most 1024 keys.',
            maxProperties: 1024,
          }),
        ),
        type: s.optional(
          s.string({
            description:
              'Type of the generated Secret, e.g. Opaque (default), kubernetes.io/dockerconfigjson, kubernetes.io/tls, kubernetes.io/basic-auth.',
          }),
        ),
        suspend: s.optional(
          s.boolean({
            description:
              'While true the operator writes nothing to the Secret (no update, no drift correction, no restore, no deletion on rename); the Suspended condition says so. Default false.',
          }),
        ),
        immutable: s.optional(
          s.boolean({
            description:
              'Create the Secret with immutable: true (kubelets stop watching it). A changed value then replaces the Secret (delete and create), as Kubernetes allows no update of its data. Default false.',
          }),
        ),
        labels: stringMap('Labels to put on the generated Secret.'),
        annotations: stringMap('Annotations to put on the generated Secret.'),
      },
      { description: 'What to decrypt and the Secret to write it to. Either secretKey + secret (the seed format), or data, or both.' },
    ),
  ),
  // No x-kubernetes-preserve-unknown-fields (the seed had it for kopf's bookkeeping): the operator writes only
  // these fields, and the API server publishes no schema below such a node (kubectl explain would go blind).
  status: s.optional(
    s.object(
      {
        conditions: s.optional(
          s.conditions({
            description: 'Conditions of the AgeSecret; Ready is the one to watch.',
            itemDescription: 'A metav1.Condition: the latest observation of one aspect of the AgeSecret.',
            typeDescription: 'Condition type; Ready says whether the Secret matches the AgeSecret.',
            reasonDescription: 'CamelCase reason for the status, e.g. Decrypted, NoMatchingKey, SecretNotOwned.',
            messageDescription: 'Human-readable detail; never contains secret values.',
          }),
        ),
        observedGeneration: s.optional(s.integer({ description: 'The metadata.generation last reconciled.', format: 'int64' })),
        secretName: s.optional(s.string({ description: 'Name of the Secret the operator currently manages for this AgeSecret.' })),
        recipients: s.optional(
          s.array(s.string(), {
            description:
              'The recipients (age public keys) to encrypt new values of this AgeSecret for: the current identities of its key Secret, newest first. Public; retiring identities are not listed.',
          }),
        ),
        needsReencryption: s.optional(
          s.boolean({
            description:
              'True while some value decrypts only with a retiring identity of the key Secret: re-encrypt it for `recipients` (age-secret updatekeys); the retiring identity is kept until then.',
          }),
        ),
      },
      { description: 'Observed state, written by the operator.' },
    ),
  ),
  printerColumns: [
    { name: 'Secret', type: 'string', description: 'The generated Secret', jsonPath: '.spec.secretName' },
    {
      name: 'Ready',
      type: 'string',
      description: 'Whether the Secret is up to date',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    },
    {
      name: 'Reason',
      type: 'string',
      description: 'Why (or why not) it is ready',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
    },
  ],
});

export type { Condition } from 'capstan';
export type AgeSecretSpec = NonNullable<typeof AgeSecrets.$spec>;
export type AgeSecretStatus = NonNullable<typeof AgeSecrets.$status>;

export interface AgeSecret {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta & { name: string };
  spec: AgeSecretSpec;
  status?: AgeSecretStatus;
}

/** The CustomResourceDefinition, as plain JSON (typed client serialisers would drop x-kubernetes-* keys). */
export const ageSecretCrd = AgeSecrets.crd;

/** The CRD as YAML (deploy/agesecret/crd.yaml holds it, written by `npm run generate`). */
export function crdYaml(): string {
  return stringify(ageSecretCrd, { lineWidth: 0, aliasDuplicateObjects: false });
}
