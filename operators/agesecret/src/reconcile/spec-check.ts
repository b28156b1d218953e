// Validates an AgeSecret's spec into a plan (target, values, key source) before any API call or decryption.
import type { AgeSecret } from '../resource.js';
import { AgeSecretError } from '../errors.js';

/** A spec the operator cannot act on; the reason goes to the Ready condition. */
export class SpecError extends AgeSecretError {}

export type KeySource = { kind: 'secret'; name: string } | { kind: 'default' };

export interface SecretPlan {
  namespace: string;
  name: string;
  secretName: string;
  /** Secret key -> ciphertext, with the spec field it came from (for messages). */
  entries: { key: string; ciphertext: string; field: string }[];
  type: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  keySource: KeySource;
  /** The Secret is created immutable: a changed value replaces it. */
  immutable: boolean;
}

// Secret names are DNS subdomains; Secret keys follow IsConfigMapKey.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** A ciphertext (base64 or armor) of a value at the 1 MiB Secret limit is about 1.4 MiB; beyond, refuse unread. */
export const MAX_CIPHERTEXT_CHARS = 1_500_000;

export function isValidSecretName(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

function isValidKey(key: string): boolean {
  return key.length <= 253 && SECRET_KEY.test(key) && key !== '.' && key !== '..';
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new SpecError(`${field} must be a map of strings`, { reason: 'InvalidSpec' });
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SpecError(`${field}.${k} must be a string`, { reason: 'InvalidSpec' });
  }
  return value as Record<string, string>;
}

/** Checks the spec; throws SpecError (MissingField, InvalidSecretName, InvalidKey, DuplicateKey, CrossNamespaceKeyRef, ValueTooLarge, UnsupportedType, InvalidSpec). */
export function planSecret(obj: AgeSecret): SecretPlan {
  const spec = obj.spec ?? {};
  const namespace = obj.metadata.namespace ?? '';
  const secretName = spec.secretName;
  if (!secretName) throw new SpecError('spec.secretName is required', { reason: 'MissingField' });
  if (typeof secretName !== 'string' || !isValidSecretName(secretName)) {
    throw new SpecError(
      `spec.secretName ${JSON.stringify(String(secretName).slice(0, 300))} is not a valid Secret name (lowercase DNS subdomain, at most 253 characters)`,
      { reason: 'InvalidSecretName' },
    );
  }
  const entries: SecretPlan['entries'] = [];
  const add = (key: string, ciphertext: unknown, field: string) => {
    if (!isValidKey(key))
      throw new SpecError(`${field}: key ${JSON.stringify(key.slice(0, 300))} is not a valid Secret key (letters, digits, "-", "_", ".")`, {
        reason: 'InvalidKey',
      });
    if (typeof ciphertext !== 'string' || ciphertext === '') throw new SpecError(`${field} is empty`, { reason: 'MissingField' });
    if (ciphertext.length > MAX_CIPHERTEXT_CHARS)
      throw new SpecError(`${field} is larger than a Secret may hold (1 MiB)`, { reason: 'ValueTooLarge' });
    if (entries.some((e) => e.key === key))
      throw new SpecError(`key ${key} is given twice (spec.secretKey and spec.data)`, { reason: 'DuplicateKey' });
    entries.push({ key, ciphertext, field });
  };
  if (spec.secret !== undefined || spec.secretKey !== undefined) {
    if (!spec.secretKey) throw new SpecError('spec.secretKey is required with spec.secret', { reason: 'MissingField' });
    if (spec.secret === undefined) throw new SpecError('spec.secret is required with spec.secretKey', { reason: 'MissingField' });
    add(spec.secretKey, spec.secret, 'spec.secret');
  }
  for (const [key, value] of Object.entries(stringMap(spec.data, 'spec.data'))) add(key, value, `spec.data.${key}`);
  if (entries.length === 0)
    throw new SpecError('nothing to decrypt: set spec.secretKey and spec.secret, or spec.data', { reason: 'MissingField' });

  let keySource: KeySource = { kind: 'default' };
  if (spec.ageSecretRef !== undefined && spec.ageSecretRef !== '') {
    const ref = spec.ageSecretRef;
    if (typeof ref !== 'string' || ref.includes('/')) {
      throw new SpecError('spec.ageSecretRef must name a Secret in this namespace; key references across namespaces are refused', {
        reason: 'CrossNamespaceKeyRef',
      });
    }
    if (!isValidSecretName(ref)) throw new SpecError('spec.ageSecretRef is not a valid Secret name', { reason: 'InvalidSpec' });
    keySource = { kind: 'secret', name: ref };
  }
  const type = spec.type ?? 'Opaque';
  if (typeof type !== 'string' || type === '') throw new SpecError('spec.type must be a non-empty string', { reason: 'InvalidSpec' });
  // The token controller fills such Secrets with a ServiceAccount's token: whoever may create AgeSecrets
  // could mint tokens through the operator without the right to create Secrets. Refused.
  if (type === 'kubernetes.io/service-account-token') {
    throw new SpecError('spec.type kubernetes.io/service-account-token is not allowed (the operator does not mint ServiceAccount tokens)', {
      reason: 'UnsupportedType',
    });
  }
  return {
    namespace,
    name: obj.metadata.name,
    secretName,
    entries,
    type,
    labels: stringMap(spec.labels, 'spec.labels'),
    annotations: stringMap(spec.annotations, 'spec.annotations'),
    keySource,
    immutable: spec.immutable === true,
  };
}
