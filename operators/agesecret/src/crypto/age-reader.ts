// Reads age v1 files for X25519 identities with node:crypto alone: synchronous, no web streams, no JS ciphers.
import { createDecipheriv, createHmac, createPublicKey, diffieHellman, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';

/** An X25519 identity as node:crypto holds it: the private key never leaves OpenSSL as bytes. */
export interface X25519Identity {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key (the recipient's bytes), part of the key derivation's salt. */
  readonly publicKey: Uint8Array;
}

/** One recipient stanza of a header: its arguments (the type first) and its decoded body. */
export interface Stanza {
  readonly args: readonly string[];
  readonly body: Uint8Array;
}

export interface ParsedHeader {
  readonly stanzas: readonly Stanza[];
  /** The bytes the header MAC covers: from the version line up to and including `---`. */
  readonly macInput: Uint8Array;
  readonly mac: Uint8Array;
  /** Where the payload (its 16-byte nonce first) starts. */
  readonly payloadOffset: number;
}

/** The file is not a well-formed age v1 file, or failed to authenticate. The message never holds file bytes. */
export class AgeFormatError extends Error {
  override readonly name = 'AgeFormatError';
}

const VERSION_LINE = 'age-encryption.org/v1';
const X25519_LABEL = Buffer.from('age-encryption.org/v1/X25519');
const HEADER_LABEL = Buffer.from('header');
const PAYLOAD_LABEL = Buffer.from('payload');
const NEWLINE = 0x0a;
const TAG = 16;
const CHUNK = 64 * 1024;
const BASE64_LINE = 64;
const RAW_BASE64 = /^[A-Za-z0-9+/]*$/;

/** Strict unpadded standard base64, as age writes it: a non-canonical encoding is an error, not a variant. */
export function decodeRawBase64(text: string): Uint8Array {
  if (!RAW_BASE64.test(text) || text.length % 4 === 1) throw new AgeFormatError('invalid base64 in the header');
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches non-zero padding bits, the one defect Buffer's decoder tolerates.
  if (bytes.toString('base64').replace(/=+$/, '') !== text) throw new AgeFormatError('non-canonical base64 in the header');
  return bytes;
}

function lineAt(file: Uint8Array, start: number): { line: string; next: number } {
  const end = file.indexOf(NEWLINE, start);
  // A header line longer than any valid one (stanza arguments are short) is refused before it is decoded.
  if (end < 0 || end - start > 4096) throw new AgeFormatError('the header is truncated or has an over-long line');
  return { line: Buffer.from(file.buffer, file.byteOffset + start, end - start).toString('latin1'), next: end + 1 };
}

/** Splits a file into its stanzas, MAC and payload offset; checks syntax only (no keys involved). */
export function parseHeader(file: Uint8Array): ParsedHeader {
  let { line, next } = lineAt(file, 0);
  if (line !== VERSION_LINE) throw new AgeFormatError('not an age v1 file (version line)');
  const stanzas: Stanza[] = [];
  for (;;) {
    const lineStart = next;
    ({ line, next } = lineAt(file, next));
    if (line.startsWith('--- ')) {
      const mac = decodeRawBase64(line.slice(4));
      if (mac.length !== 32) throw new AgeFormatError('invalid header MAC length');
      // The MAC covers the header up to and including "---" (not the space after it).
      return { stanzas, macInput: file.subarray(0, lineStart + 3), mac, payloadOffset: next };
    }
    if (!line.startsWith('-> ')) throw new AgeFormatError('invalid header line');
    const args = line.slice(3).split(' ');
    if (args.some((arg) => arg.length === 0 || !/^[\x21-\x7e]+$/.test(arg))) throw new AgeFormatError('invalid stanza arguments');
    const parts: Uint8Array[] = [];
    for (;;) {
      ({ line, next } = lineAt(file, next));
      if (line.length > BASE64_LINE) throw new AgeFormatError('invalid stanza body line');
      const part = decodeRawBase64(line);
      parts.push(part);
      if (line.length < BASE64_LINE) break;
    }
    stanzas.push({ args, body: Buffer.concat(parts) });
  }
}

function chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < TAG) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  const head = decipher.update(sealed.subarray(0, sealed.length - TAG));
  try {
    decipher.final(); // chacha20-poly1305 emits nothing here: it checks the tag
  } catch {
    head.fill(0);
    return undefined;
  }
  return new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
}

/** Joins plaintext chunks into one fresh array (not Buffer's shared pool, so wiping it wipes every copy). */
function joined(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
    chunk.fill(0);
  }
  return out;
}

/**
 * The file key, if one of `identities` opens one of the X25519 stanzas; undefined if none does (the file is for
 * someone else). A malformed X25519 stanza is an error even when another stanza would open: age does the same.
 */
export function unwrapFileKey(stanzas: readonly Stanza[], identities: readonly X25519Identity[]): Uint8Array | undefined {
  for (const identity of identities) {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== 'X25519') continue;
      if (stanza.args.length !== 2 || stanza.body.length !== 32) throw new AgeFormatError('invalid X25519 stanza');
      const share = decodeRawBase64(stanza.args[1]!);
      if (share.length !== 32) throw new AgeFormatError('invalid X25519 stanza');
      let shared: Buffer;
      try {
        // JWK, not DER: OpenSSL 3's DER decoder costs ~150 us a key here, the JWK path ~9 us.
        const publicKey = createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(share).toString('base64url') },
          format: 'jwk',
        });
        shared = diffieHellman({ privateKey: identity.privateKey, publicKey });
      } catch (cause) {
        // OpenSSL refuses a low-order share (an all-zero shared secret), as the age spec requires.
        throw new AgeFormatError('invalid X25519 share', { cause });
      }
      const salt = Buffer.concat([share, identity.publicKey]);
      const wrapKey = new Uint8Array(hkdfSync('sha256', shared, salt, X25519_LABEL, 32));
      shared.fill(0);
      const fileKey = chachaOpen(wrapKey, new Uint8Array(12), stanza.body);
      wrapKey.fill(0);
      if (fileKey) return fileKey;
    }
  }
  return undefined;
}

/** Checks the header MAC with the file key; throws when it does not match (a tampered or foreign header). */
export function verifyHeaderMac(header: ParsedHeader, fileKey: Uint8Array): void {
  const macKey = new Uint8Array(hkdfSync('sha256', fileKey, new Uint8Array(0), HEADER_LABEL, 32));
  const mac = createHmac('sha256', macKey).update(header.macInput).digest();
  macKey.fill(0);
  if (!timingSafeEqual(mac, header.mac)) throw new AgeFormatError('the header MAC does not match');
}

/** Decrypts the payload (nonce, then STREAM chunks of 64 KiB) with the file key. */
export function decryptPayload(file: Uint8Array, payloadOffset: number, fileKey: Uint8Array): Uint8Array {
  const nonce = file.subarray(payloadOffset, payloadOffset + 16);
  if (nonce.length !== 16) throw new AgeFormatError('the payload nonce is truncated');
  const key = new Uint8Array(hkdfSync('sha256', fileKey, nonce, PAYLOAD_LABEL, 32));
  const chunks: Uint8Array[] = [];
  const counter = new Uint8Array(12);
  try {
    let at = payloadOffset + 16;
    if (at === file.length) throw new AgeFormatError('the payload is empty');
    for (let index = 0; ; index++) {
      const end = Math.min(at + CHUNK + TAG, file.length);
      const last = end === file.length;
      if (index > 0xffffffff) throw new AgeFormatError('the payload is too long');
      new DataView(counter.buffer).setUint32(7, index);
      counter[11] = last ? 1 : 0;
      const plain = chachaOpen(key, counter, file.subarray(at, end));
      if (!plain) throw new AgeFormatError('the payload failed to authenticate');
      // A final chunk may be empty only if it is the only one; a full chunk marked non-final must be followed.
      if (last && plain.length === 0 && index > 0) throw new AgeFormatError('the payload ends with an empty chunk');
      chunks.push(plain);
      if (last) break;
      at = end;
    }
    return chunks.length === 1 ? chunks[0]! : joined(chunks);
  } catch (error) {
    for (const chunk of chunks) chunk.fill(0);
    throw error;
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypts a whole age v1 file for X25519 identities. Returns undefined when no identity opens it (so the
 * caller can try other kinds of identity); throws AgeFormatError for a malformed or tampered file.
 */
export function decryptX25519File(file: Uint8Array, identities: readonly X25519Identity[]): Uint8Array | undefined {
  const header = parseHeader(file);
  const fileKey = unwrapFileKey(header.stanzas, identities);
  if (!fileKey) return undefined;
  try {
    verifyHeaderMac(header, fileKey);
    return decryptPayload(file, header.payloadOffset, fileKey);
  } finally {
    fileKey.fill(0);
  }
}
