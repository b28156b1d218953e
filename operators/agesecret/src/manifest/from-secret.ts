// Turns plain `kind: Secret` documents into encrypted AgeSecret documents (data and stringData).
import { Document } from 'yaml';
import { encryptValue } from '../crypto/age.js';
import type { BindingScope } from '../crypto/binding.js';
import { API_VERSION, KIND, type AgeSecretSpec } from '../resource.js';
import { recordRecipients } from './documents.js';
import { InputError } from './input-error.js';
import type { BindMode } from './transform.js';

export interface FromSecretOptions {
  recipients: readonly string[];
  bind?: BindMode;
  /** Namespace used when the Secret has none (for binding and metadata). */
  namespace?: string;
  /** spec.ageSecretRef of the new AgeSecrets. */
  ageSecretRef?: string;
}

// Annotations that must not travel: the last-applied one holds the Secret's plaintext.
const DROPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

function stringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${what} must be a map`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = v === null || v === undefined ? '' : String(v);
  return out;
}

function decodeData(data: Record<string, string>, what: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(data)) {
    const compact = value.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0)
      throw new InputError(`${what}.data.${key} is not valid base64`);
    out.set(key, new Uint8Array(Buffer.from(compact, 'base64')));
  }
  return out;
}

/** Whether a document is a core/v1 Secret. */
export function isSecretDocument(doc: Document): boolean {
  return doc.get('kind') === 'Secret' && (doc.get('apiVersion') ?? 'v1') === 'v1';
}

/** Builds the AgeSecret for one Secret document; values are encrypted before they leave this function. */
export async function ageSecretFromSecret(doc: Document, index: number, options: FromSecretOptions): Promise<Document> {
  const secret = doc.toJS() as { metadata?: Record<string, unknown>; type?: string; data?: unknown; stringData?: unknown };
  const what = `document ${index + 1}`;
  const metadata = secret.metadata ?? {};
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') throw new InputError(`${what}: Secret has no metadata.name`);
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : options.namespace;

  // stringData wins over data for the same key, as the API server does.
  const values = decodeData(stringRecord(secret.data, `${what} data`), what);
  for (const [key, value] of Object.entries(stringRecord(secret.stringData, `${what} stringData`)))
    values.set(key, new TextEncoder().encode(value));
  if (values.size === 0) throw new InputError(`${what}: Secret ${name} has no data or stringData`);

  const bindMode = options.bind ?? 'none';
  if (bindMode !== 'none' && !namespace)
    throw new InputError(`${what}: --bind needs a namespace: set metadata.namespace or pass --namespace`);
  const bind: BindingScope | undefined =
    bindMode === 'strict' ? { namespace: namespace!, name } : bindMode === 'namespace' ? { namespace: namespace! } : undefined;
  const encrypt = (bytes: Uint8Array) => encryptValue(bytes, { recipients: options.recipients, ...(bind ? { bind } : {}) });

  const spec: AgeSecretSpec = { secretName: name };
  if (options.ageSecretRef) spec.ageSecretRef = options.ageSecretRef;
  if (values.size === 1) {
    const [[key, bytes]] = [...values] as [[string, Uint8Array]];
    spec.secretKey = key;
    spec.secret = await encrypt(bytes);
  } else {
    spec.data = {};
    for (const [key, bytes] of values) spec.data[key] = await encrypt(bytes);
  }
  if (secret.type && secret.type !== 'Opaque') spec.type = secret.type;
  const labels = stringRecord(metadata['labels'], `${what} metadata.labels`);
  if (Object.keys(labels).length) spec.labels = labels;
  const annotations = Object.fromEntries(
    Object.entries(stringRecord(metadata['annotations'], `${what} metadata.annotations`)).filter(([k]) => !DROPPED_ANNOTATIONS.has(k)),
  );
  if (Object.keys(annotations).length) spec.annotations = annotations;

  const out = new Document({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: namespace ? { name, namespace } : { name },
    spec,
  });
  recordRecipients(out, options.recipients);
  if (doc.commentBefore) out.commentBefore = doc.commentBefore;
  return out;
}
