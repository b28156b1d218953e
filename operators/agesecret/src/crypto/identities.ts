// Parses age identity files (several keys, comments, blank lines) and imports X25519 keys into WebCrypto.
import { bech32 } from '@scure/base';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { InvalidIdentityError, InvalidRecipientError } from '../errors.js';

/** An identity ready for typage's Decrypter: a native CryptoKey when WebCrypto has X25519, else the string. */
export type LoadedIdentity = CryptoKey | string;

export interface IdentitySet {
  identities: LoadedIdentity[];
  /** The matching recipients (age1...), in file order; public, safe to show. */
  recipients: string[];
  /** Whether every X25519 identity runs on native WebCrypto. */
  native: boolean;
}

export interface LoadIdentitiesOptions {
  /**
   * Import X25519 keys once as non-extractable WebCrypto CryptoKeys (default true). With false the key
   * strings go to typage, which re-imports them for every file: measured 2150 vs 1130 decrypts/s here
   * (bench/decrypt-speed.ts; typage's pure-JS fallback: 750/s).
   */
  native?: boolean;
}

// PKCS #8 wrapping of a raw X25519 private key: WebCrypto imports private X25519 keys only as PKCS #8 or JWK.
const PKCS8_X25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * Splits an age key file into its identity lines. Errors name line numbers only, never the line.
 * Accepts the `age-keygen` format and a bare key (what the seed stores in a Secret).
 */
export function parseIdentityFile(text: string): string[] {
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const upper = line.toUpperCase();
    if (!upper.startsWith('AGE-SECRET-KEY-1') && !upper.startsWith('AGE-SECRET-KEY-PQ-1')) {
      throw new InvalidIdentityError(`line ${index + 1}: not an age identity (expected AGE-SECRET-KEY-1...)`);
    }
    keys.push(upper);
  });
  if (keys.length === 0) throw new InvalidIdentityError('no identities found (expected lines starting with AGE-SECRET-KEY-1)');
  return keys;
}

function x25519Bytes(key: string, position: number): Uint8Array {
  try {
    const decoded = bech32.decodeToBytes(key);
    if (decoded.prefix.toUpperCase() !== 'AGE-SECRET-KEY-' || decoded.bytes.length !== 32) throw new Error('wrong prefix or length');
    return decoded.bytes;
  } catch (cause) {
    // The cause (from bech32) never contains the key itself, only the kind of defect.
    throw new InvalidIdentityError(`identity ${position}: invalid AGE-SECRET-KEY-1 encoding`, { cause });
  }
}

async function importNative(bytes: Uint8Array): Promise<CryptoKey | undefined> {
  const pkcs8 = new Uint8Array(PKCS8_X25519_PREFIX.length + 32);
  pkcs8.set(PKCS8_X25519_PREFIX);
  pkcs8.set(bytes, PKCS8_X25519_PREFIX.length);
  try {
    return await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'X25519' }, false, ['deriveBits']);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotSupportedError') return undefined;
    throw error;
  } finally {
    pkcs8.fill(0);
  }
}

/** Loads every identity of a key file; X25519 keys become non-extractable CryptoKeys where supported. */
export async function loadIdentities(text: string, options: LoadIdentitiesOptions = {}): Promise<IdentitySet> {
  const wantNative = options.native ?? true;
  const set: IdentitySet = { identities: [], recipients: [], native: wantNative };
  let position = 0;
  for (const key of parseIdentityFile(text)) {
    position += 1;
    if (key.startsWith('AGE-SECRET-KEY-PQ-1')) {
      set.identities.push(key);
      set.recipients.push(await recipientOf(key, position));
      continue;
    }
    const bytes = x25519Bytes(key, position);
    const native = wantNative ? await importNative(bytes) : undefined;
    bytes.fill(0);
    if (!native) set.native = false;
    const identity = native ?? key;
    set.identities.push(identity);
    set.recipients.push(await recipientOf(identity, position));
  }
  return set;
}

async function recipientOf(identity: LoadedIdentity, position: number): Promise<string> {
  try {
    return await identityToRecipient(identity);
  } catch (cause) {
    throw new InvalidIdentityError(`identity ${position}: cannot derive its recipient`, { cause });
  }
}

/** A fresh X25519 identity and its recipient. */
export async function generateKeyPair(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/**
 * Parses recipients (`-r` values or a `-R` file: one per line, comments and blank lines allowed).
 * Recipients are public, so messages may quote them.
 */
export function parseRecipients(text: string, source = 'recipients'): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!/^age1[0-9a-z]+$/.test(line)) {
      throw new InvalidRecipientError(`${source}: line ${index + 1}: not an age recipient (expected age1...): ${line.slice(0, 80)}`);
    }
    try {
      bech32.decodeToBytes(line, false);
    } catch (cause) {
      throw new InvalidRecipientError(`${source}: line ${index + 1}: invalid recipient checksum: ${line}`, { cause });
    }
    out.push(line);
  });
  return out;
}
