// Encrypts and decrypts single values with typage (age-encryption), with optional namespace/name binding.
import { Decrypter, Encrypter } from 'age-encryption';
import { InvalidRecipientError, MalformedCiphertextError, NoMatchingKeyError } from '../errors.js';
import { bindPlaintext, checkBinding, unbindPlaintext, type BindingScope, type ObjectLocation } from './binding.js';
import { formatCiphertext, parseCiphertext, type CiphertextFormat } from './ciphertext.js';
import type { IdentitySet } from './identities.js';

export interface EncryptValueOptions {
  recipients: readonly string[];
  /** Bind the ciphertext to one AgeSecret or one namespace (see adr/0010). */
  bind?: BindingScope;
  format?: CiphertextFormat;
}

export interface DecryptValueOptions {
  /** Where the value was found; a bound value must match it. Omit to read the binding without checking. */
  at?: ObjectLocation;
}

export interface DecryptedValue {
  plaintext: Uint8Array;
  format: CiphertextFormat;
  /** The binding found inside the ciphertext, if any. */
  scope?: BindingScope;
}

/** Encrypts one value for the recipients; returns it spelled as `format` (default ENC[...]). */
export async function encryptValue(plaintext: Uint8Array | string, options: EncryptValueOptions): Promise<string> {
  if (options.recipients.length === 0) throw new InvalidRecipientError('no recipients given');
  const encrypter = new Encrypter();
  for (const recipient of options.recipients) {
    try {
      encrypter.addRecipient(recipient);
    } catch (cause) {
      throw new InvalidRecipientError(`invalid recipient: ${recipient}`, { cause });
    }
  }
  const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  const payload = options.bind ? bindPlaintext(bytes, options.bind) : bytes;
  return formatCiphertext(await encrypter.encrypt(payload), options.format);
}

// Decrypters hold only references to the identities; one per IdentitySet saves re-adding them per value.
const decrypters = new WeakMap<IdentitySet, Decrypter>();

function decrypterFor(set: IdentitySet): Decrypter {
  let decrypter = decrypters.get(set);
  if (!decrypter) {
    decrypter = new Decrypter();
    for (const identity of set.identities) decrypter.addIdentity(identity);
    decrypters.set(set, decrypter);
  }
  return decrypter;
}

/**
 * Decrypts one manifest value. Plaintext input throws NotEncryptedError; a broken ciphertext
 * MalformedCiphertextError; no usable key NoMatchingKeyError; a binding elsewhere BindingMismatchError.
 */
export async function decryptValue(value: string, identities: IdentitySet, options: DecryptValueOptions = {}): Promise<DecryptedValue> {
  const { file, format } = parseCiphertext(value);
  let payload: Uint8Array;
  try {
    payload = await decrypterFor(identities).decrypt(file);
  } catch (cause) {
    // typage's messages are fixed strings (the header version line was checked before), safe as a cause.
    const message = cause instanceof Error ? cause.message : '';
    if (message.includes('no identity matched')) throw new NoMatchingKeyError(undefined, { cause });
    throw new MalformedCiphertextError('age ciphertext is corrupted or truncated (header or payload failed to parse or authenticate)', {
      cause,
    });
  }
  const { scope, value: plaintext } = unbindPlaintext(payload);
  if (options.at) checkBinding(scope, options.at);
  return scope ? { plaintext, format, scope } : { plaintext, format };
}
