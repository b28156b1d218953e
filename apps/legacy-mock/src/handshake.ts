// The handshake check: decode the posted base64 and compare it, in constant time, with half + suffix.
import { timingSafeEqual } from 'node:crypto';

/** Why a posted secret was refused; `status` is the HTTP status the app answers with. */
export interface HandshakeRefusal {
  readonly ok: false;
  readonly status: 400 | 403;
  readonly reason: string;
}
export type HandshakeVerdict = { readonly ok: true } | HandshakeRefusal;

// Standard alphabet, padding optional; surrounding whitespace and line breaks are removed before this check.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The value the app hands out on GET /internal/key: base64 of its half. */
export function encodeKeyHalf(keyHalf: string): string {
  return Buffer.from(keyHalf, 'utf8').toString('base64');
}

/**
 * Judges a POST /internal/secret body. The seed's shell pipeline (`echo '{}-acknowledge' | base64`)
 * adds a newline inside the encoded value, so one trailing "\n" (or "\r\n") after the suffix is accepted.
 */
export function judgeSecret(body: string, expected: { keyHalf: string; suffix: string }): HandshakeVerdict {
  // `base64` wraps its output at 76 columns, so line breaks inside the value are not an error.
  const text = body.trim().replace(/\r?\n/g, '');
  if (text === '') return { ok: false, status: 400, reason: 'Empty body: expected base64(key half + suffix)' };
  if (text.length % 4 === 1 || !BASE64.test(text)) return { ok: false, status: 400, reason: 'Body is not valid base64' };
  const decoded = Buffer.from(text, 'base64');
  if (decoded.length === 0) return { ok: false, status: 400, reason: 'Body decodes to nothing' };
  const want = Buffer.from(expected.keyHalf + expected.suffix, 'utf8');
  // Both comparisons always run, so timing does not tell which form was close.
  const exact = constantTimeEqual(decoded, want);
  const withNewline = constantTimeEqual(stripOneNewline(decoded), want);
  if (!exact && !withNewline) return { ok: false, status: 403, reason: 'Wrong secret' };
  return { ok: true };
}

function stripOneNewline(value: Buffer): Buffer {
  if (value.length >= 2 && value[value.length - 2] === 0x0d && value[value.length - 1] === 0x0a) return value.subarray(0, -2);
  if (value.length >= 1 && value[value.length - 1] === 0x0a) return value.subarray(0, -1);
  return value;
}

// Compares without leaking, through timing, how many leading bytes of a guess were right.
function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  const padded = Buffer.alloc(b.length);
  a.copy(padded, 0, 0, Math.min(a.length, b.length));
  return timingSafeEqual(padded, b) && a.length === b.length;
}
