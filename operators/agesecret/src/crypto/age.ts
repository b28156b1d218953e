// Encrypts single values with typage (age-encryption) and decrypts them (X25519 natively), with optional binding.
import { Decrypter, Encrypter } from 'age-encryption';
import { InvalidRecipientError, MalformedCiphertextError, NoMatchingKeyError } from '../errors.js';
import { AgeFormatError, decryptX25519File, type X25519Identity } from './age-reader.js';
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

interface Split {
  native: X25519Identity[];
  /** Key strings for typage: post-quantum identities, and X25519 ones loaded with `native: false`. */
  typage: Decrypter | undefined;
}

// One split per IdentitySet: the natives filtered and typage's Decrypter filled once, not per value.
const splits = new WeakMap<IdentitySet, Split>();

function splitOf(set: IdentitySet): Split {
  let split = splits.get(set);
  if (!split) {
    const strings = set.identities.filter((i): i is string => typeof i === 'string');
    const typage = strings.length ? new Decrypter() : undefined;
    for (const identity of strings) typage!.addIdentity(identity);
    split = { native: set.identities.filter((i): i is X25519Identity => typeof i !== 'string'), typage };
    splits.set(set, split);
  }
  return split;
}

const malformed = (cause: unknown) =>
  new MalformedCiphertextError('age ciphertext is corrupted or truncated (header or payload failed to parse or authenticate)', { cause });

async function decryptFile(file: Uint8Array, set: IdentitySet): Promise<Uint8Array> {
  const { native, typage } = splitOf(set);
  if (native.length) {
    try {
      const payload = decryptX25519File(file, native);
      if (payload) return payload;
    } catch (cause) {
      // age-reader's messages name the defect only, never file bytes: safe as a cause.
      if (cause instanceof AgeFormatError) throw malformed(cause);
      throw cause;
    }
  }
  if (!typage) throw new NoMatchingKeyError();
  try {
    return await typage.decrypt(file);
  } catch (cause) {
    // typage's messages are fixed strings (the header version line was checked before), safe as a cause.
    const message = cause instanceof Error ? cause.message : '';
    if (message.includes('no identity matched')) throw new NoMatchingKeyError(undefined, { cause });
    throw malformed(cause);
  }
}

/**
 * Decrypts one manifest value. Plaintext input throws NotEncryptedError; a broken ciphertext
 * MalformedCiphertextError; no usable key NoMatchingKeyError; a binding elsewhere BindingMismatchError.
 */
export async function decryptValue(value: string, identities: IdentitySet, options: DecryptValueOptions = {}): Promise<DecryptedValue> {
  const { file, format } = parseCiphertext(value);
  const payload = await decryptFile(file, identities);
  const { scope, value: plaintext } = unbindPlaintext(payload);
  if (options.at) checkBinding(scope, options.at);
  return scope ? { plaintext, format, scope } : { plaintext, format };
}
