// Recognises the accepted ciphertext spellings (ENC[...], bare base64, ASCII armor) and refuses plaintext.
import { armor } from 'age-encryption';
import { MalformedCiphertextError, NotEncryptedError } from '../errors.js';

/** How a ciphertext was written in the manifest. */
export type CiphertextFormat = 'enc' | 'base64' | 'armor';

export interface ParsedCiphertext {
  format: CiphertextFormat;
  /** The binary age file. */
  file: Uint8Array;
}

/** What a manifest value looks like, without decrypting it. */
export type ValueKind = 'encrypted' | 'malformed' | 'plaintext';

const AGE_MAGIC = new TextEncoder().encode('age-encryption.org/v1\n');
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * How a value that claims to be age begins: `ENC[`, the armor line, or the base64 of the age header
 * ("age-encryption.org/v1\n" encodes to these 29 characters whatever follows). Anything else is plaintext.
 * The CRD refuses plaintext at apply time with the same prefixes (AGE_CIPHERTEXT_RULE), so the API server
 * and the operator always agree on what is plaintext.
 */
export const AGE_CIPHERTEXT_PREFIXES = ['ENC[', ARMOR_BEGIN, 'YWdlLWVuY3J5cHRpb24ub3JnL3YxC'] as const;

/** Whether a manifest value claims to be age ciphertext (it may still be broken: see parseCiphertext). */
export function claimsAge(value: string): boolean {
  return AGE_CIPHERTEXT_PREFIXES.some((prefix) => value.startsWith(prefix));
}

/**
 * The CEL rule of the CRD's ciphertext fields: the same prefixes as claimsAge(). startsWith keeps the rule's
 * estimated cost within the API server's budget for strings of any length (a regex or trim() does not).
 */
export const AGE_CIPHERTEXT_RULE = {
  rule: AGE_CIPHERTEXT_PREFIXES.map((prefix) => `self.startsWith('${prefix}')`).join(' || '),
  // A fixed message: the value itself must never be echoed (it is plaintext when this fails).
  message:
    'must be age ciphertext: ENC[...] as written by `age-secret encrypt`, bare base64 of an age file, or ASCII-armored age; plaintext is refused (encrypt it with `age-secret encrypt`)',
  // Forbidden, not Invalid: an Invalid error quotes the refused value back, and that value is plaintext.
  reason: 'FieldValueForbidden',
} as const;

function startsWithMagic(bytes: Uint8Array): boolean {
  if (bytes.length < AGE_MAGIC.length) return false;
  return AGE_MAGIC.every((b, i) => bytes[i] === b);
}

/** Strict base64 (standard alphabet, padding optional, whitespace ignored); undefined when not base64. */
function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !BASE64.test(compact) || compact.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/**
 * Parses a manifest value into a binary age file.
 * Throws NotEncryptedError for anything that does not claim to be age (claimsAge: plaintext is never accepted) and
 * MalformedCiphertextError for values that claim to be age but are broken. Messages never quote the value.
 */
export function parseCiphertext(value: string): ParsedCiphertext {
  if (!claimsAge(value)) throw new NotEncryptedError();
  const text = value.trim();
  if (text.startsWith('ENC[')) {
    if (!text.endsWith(']')) throw new MalformedCiphertextError('ENC[...] value has no closing bracket');
    const file = decodeBase64(text.slice(4, -1));
    if (!file) throw new MalformedCiphertextError('ENC[...] does not contain valid base64');
    if (!startsWithMagic(file))
      throw new MalformedCiphertextError('ENC[...] does not contain an age file (missing age-encryption.org/v1 header)');
    return { format: 'enc', file };
  }
  if (text.startsWith(ARMOR_BEGIN)) {
    let file: Uint8Array;
    try {
      file = armor.decode(text);
    } catch (cause) {
      throw new MalformedCiphertextError('ASCII-armored age value is malformed', { cause });
    }
    if (!startsWithMagic(file)) throw new MalformedCiphertextError('ASCII armor does not contain an age file');
    return { format: 'armor', file };
  }
  const file = decodeBase64(text);
  if (!file) throw new MalformedCiphertextError('base64 age value is not valid base64');
  if (!startsWithMagic(file))
    throw new MalformedCiphertextError('base64 value does not contain an age file (broken age-encryption.org/v1 header)');
  return { format: 'base64', file };
}

/** Classifies a value without throwing: the CLI leaves encrypted (and malformed) values alone. */
export function classifyValue(value: string): ValueKind {
  try {
    parseCiphertext(value);
    return 'encrypted';
  } catch (error) {
    return error instanceof MalformedCiphertextError ? 'malformed' : 'plaintext';
  }
}

/** Writes a binary age file in the requested spelling (ENC[...] is what the seed's tools read and write). */
export function formatCiphertext(file: Uint8Array, format: CiphertextFormat = 'enc'): string {
  const base64 = Buffer.from(file).toString('base64');
  switch (format) {
    case 'enc':
      return `ENC[${base64}]`;
    case 'base64':
      return base64;
    case 'armor':
      return armor.encode(file);
  }
}
