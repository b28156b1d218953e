// Parses age identity files (several keys, comments, blank lines) and imports X25519 keys into node:crypto.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { bech32 } from '@scure/base';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { InvalidIdentityError, InvalidRecipientError } from '../errors.js';
import type { X25519Identity } from './age-reader.js';

/**
 * An identity ready to decrypt with: an X25519 key held by node:crypto (read by `age-reader.ts`), or the key
 * string for typage (post-quantum identities, and X25519 ones when `native: false`).
 */
export type LoadedIdentity = X25519Identity | string;

export interface IdentitySet {
  identities: LoadedIdentity[];
  /** The matching recipients (age1...), in file order; public, safe to show. */
  recipients: string[];
  /** Whether the X25519 identities are node:crypto keys (else strings for typage). */
  native: boolean;
}

export interface LoadIdentitiesOptions {
  /**
   * Import X25519 keys once into node:crypto and decrypt with `age-reader.ts` (default true): synchronous
   * OpenSSL calls instead of typage's web streams and JS ciphers. With false the key strings go to typage,
   * which re-imports them for every file (the bench's decrypt workload compares both).
   */
  native?: boolean;
}

// PKCS #8 wrapping of a raw X25519 private key: node:crypto imports raw private keys only as PKCS #8 or JWK.
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

function importNative(bytes: Uint8Array): X25519Identity {
  const pkcs8 = Buffer.alloc(PKCS8_X25519_PREFIX.length + 32);
  pkcs8.set(PKCS8_X25519_PREFIX);
  pkcs8.set(bytes, PKCS8_X25519_PREFIX.length);
  try {
    const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
    return { privateKey, publicKey: Buffer.from(x ?? '', 'base64url') };
  } finally {
    pkcs8.fill(0);
  }
}

/** The age1... recipient of a key: bech32 of its public key (public, safe to show). */
const recipientOfNative = (identity: X25519Identity): string => bech32.encodeFromBytes('age', identity.publicKey);

/** Loads every identity of a key file; X25519 keys become node:crypto keys unless `native: false`. */
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
    if (wantNative) {
      const identity = importNative(bytes);
      bytes.fill(0);
      set.identities.push(identity);
      set.recipients.push(recipientOfNative(identity));
      continue;
    }
    bytes.fill(0);
    set.identities.push(key);
    set.recipients.push(await recipientOf(key, position));
  }
  return set;
}

async function recipientOf(identity: string, position: number): Promise<string> {
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
