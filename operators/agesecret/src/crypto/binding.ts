// Binds a plaintext to namespace/name (or a whole namespace) with an authenticated header inside the age payload.
import { BindingMismatchError, MalformedCiphertextError } from '../errors.js';

/** Where a ciphertext may be used: one AgeSecret (`name`) or any AgeSecret in `namespace` (no name). */
export interface BindingScope {
  namespace: string;
  name?: string;
}

/** The object a ciphertext is found in. */
export interface ObjectLocation {
  namespace: string;
  name: string;
}

// The header is part of the encrypted payload, so age's AEAD authenticates it: nobody can move or
// rewrite it without the file key. See adr/0010-agesecret-binding.md.
const MAGIC = 'capstan-bind:v1 ';
const MAGIC_BYTES = new TextEncoder().encode(MAGIC);
const SEGMENT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const MAX_HEADER = 512;

export function formatScope(scope: BindingScope): string {
  return `${scope.namespace}/${scope.name ?? '*'}`;
}

function parseScope(text: string): BindingScope | undefined {
  const parts = text.split('/');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (!SEGMENT.test(namespace)) return undefined;
  if (name === '*') return { namespace };
  return SEGMENT.test(name) ? { namespace, name } : undefined;
}

/** Prefixes the plaintext with the binding header. */
export function bindPlaintext(plaintext: Uint8Array, scope: BindingScope): Uint8Array {
  const scopeText = formatScope(scope);
  if (!parseScope(scopeText)) throw new TypeError(`invalid binding scope ${scopeText}`);
  const header = new TextEncoder().encode(`${MAGIC}${scopeText}\n`);
  const out = new Uint8Array(header.length + plaintext.length);
  out.set(header);
  out.set(plaintext, header.length);
  return out;
}

/** Splits a decrypted payload into its binding (if any) and the value; a broken header is malformed. */
export function unbindPlaintext(payload: Uint8Array): { scope?: BindingScope; value: Uint8Array } {
  if (payload.length < MAGIC_BYTES.length || !MAGIC_BYTES.every((b, i) => payload[i] === b)) return { value: payload };
  const newline = payload.indexOf(0x0a, MAGIC_BYTES.length);
  if (newline < 0 || newline > MAX_HEADER) throw new MalformedCiphertextError('binding header is not terminated');
  const scope = parseScope(new TextDecoder().decode(payload.subarray(MAGIC_BYTES.length, newline)));
  if (!scope) throw new MalformedCiphertextError('binding header has an invalid scope');
  return { scope, value: payload.subarray(newline + 1) };
}

/** Throws BindingMismatchError when a bound value is used outside its scope. Unbound values pass. */
export function checkBinding(scope: BindingScope | undefined, at: ObjectLocation): void {
  if (!scope) return;
  const matches = scope.namespace === at.namespace && (scope.name === undefined || scope.name === at.name);
  if (!matches) throw new BindingMismatchError({ boundTo: formatScope(scope), foundAt: `${at.namespace}/${at.name}` });
}
