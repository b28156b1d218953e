// Encrypts and decrypts every AgeSecret value of parsed YAML documents, leaving everything else as written.
import type { Document } from 'yaml';
import { decryptValue, encryptValue } from '../crypto/age.js';
import type { BindingScope } from '../crypto/binding.js';
import { classifyValue, type CiphertextFormat } from '../crypto/ciphertext.js';
import type { IdentitySet } from '../crypto/identities.js';
import { AgeSecretError } from '../errors.js';
import { ageSecretValues, isAgeSecret, locationOf, setValue, type ValueRef } from './documents.js';
import { InputError } from './input-error.js';

export type BindMode = 'none' | 'strict' | 'namespace';

export interface EncryptDocumentsOptions {
  recipients: readonly string[];
  bind?: BindMode;
  /** Namespace to bind to when the manifest has no metadata.namespace (the manifest's own wins). */
  namespace?: string;
  format?: CiphertextFormat;
  /** Encrypt only these values (by label); default all plaintext ones. */
  only?: (ref: ValueRef) => boolean;
}

export interface EncryptReport {
  encrypted: string[];
  alreadyEncrypted: string[];
}

/** Where a document's values bind to, or undefined when not binding. */
function scopeFor(doc: Document, index: number, mode: BindMode, namespace: string | undefined): BindingScope | undefined {
  if (mode === 'none') return undefined;
  const location = locationOf(doc, index);
  const ns = location.namespace ?? namespace;
  if (!ns) throw new InputError(`document ${index + 1}: --bind needs a namespace: set metadata.namespace or pass --namespace`);
  return mode === 'strict' ? { namespace: ns, name: location.name } : { namespace: ns };
}

/** Encrypts every plaintext AgeSecret value in place; encrypted values are left alone, broken ones refused. */
export async function encryptDocuments(docs: readonly Document[], options: EncryptDocumentsOptions): Promise<EncryptReport> {
  const report: EncryptReport = { encrypted: [], alreadyEncrypted: [] };
  const scopes = new Map<Document, BindingScope | undefined>();
  docs.forEach((doc, index) => {
    if (isAgeSecret(doc)) scopes.set(doc, scopeFor(doc, index, options.bind ?? 'none', options.namespace));
  });
  for (const ref of ageSecretValues(docs)) {
    if (options.only && !options.only(ref)) continue;
    const kind = classifyValue(ref.text);
    if (kind === 'encrypted') {
      report.alreadyEncrypted.push(ref.label);
      continue;
    }
    if (kind === 'malformed')
      throw new InputError(`${ref.label}: looks like a ciphertext but is malformed; replace it with the plaintext to re-encrypt`);
    const bind = scopes.get(ref.doc);
    setValue(
      ref,
      await encryptValue(ref.text, {
        recipients: options.recipients,
        ...(bind ? { bind } : {}),
        ...(options.format ? { format: options.format } : {}),
      }),
    );
    report.encrypted.push(ref.label);
  }
  return report;
}

export interface DecryptedRef {
  ref: ValueRef;
  /** The original ciphertext, so unchanged values can be put back byte for byte. */
  ciphertext: string;
  plaintext: string;
  scope?: BindingScope;
}

export interface DecryptDocumentsOptions {
  /** Namespace to check bindings against when the manifest has none. */
  namespace?: string;
}

/** Decrypts every AgeSecret value in place (as UTF-8 text); errors are prefixed with the value's label. */
export async function decryptDocuments(
  docs: readonly Document[],
  identities: IdentitySet,
  options: DecryptDocumentsOptions = {},
): Promise<DecryptedRef[]> {
  const out: DecryptedRef[] = [];
  for (const ref of ageSecretValues(docs)) {
    const index = docs.indexOf(ref.doc);
    const location = locationOf(ref.doc, index);
    const namespace = location.namespace ?? options.namespace;
    let decrypted;
    try {
      decrypted = await decryptValue(ref.text, identities, namespace ? { at: { namespace, name: location.name } } : {});
    } catch (error) {
      if (error instanceof AgeSecretError) throw relabel(error, ref.label);
      throw error;
    }
    let plaintext: string;
    try {
      plaintext = new TextDecoder('utf-8', { fatal: true }).decode(decrypted.plaintext);
    } catch (cause) {
      throw new InputError(`${ref.label}: decrypted value is binary, not UTF-8 text; it cannot be shown as YAML`, { cause });
    }
    out.push({ ref, ciphertext: ref.text, plaintext, ...(decrypted.scope ? { scope: decrypted.scope } : {}) });
    setValue(ref, plaintext);
  }
  return out;
}

/** The value's label in front of the message (the reason and the original error are kept), so the user knows which value failed. */
function relabel(error: AgeSecretError, label: string): AgeSecretError {
  return new AgeSecretError(`${label}: ${error.message}`, { reason: error.reason, cause: error });
}
