// Finds and caches the identities an AgeSecret decrypts with: its key Secret or the operator-wide default.
import { NotFoundError, type KubeClient, type KubeObject } from 'capstan';
import { loadIdentities, type IdentitySet } from '../crypto/identities.js';
import { AgeSecretError, InvalidIdentityError } from '../errors.js';
import { valuesDropped } from './desired-secret.js';
import type { KeySource } from './spec-check.js';

export const SECRETS = { version: 'v1', plural: 'secrets' } as const;
/** The key inside a key Secret that holds the identities (the seed's name). */
export const IDENTITY_KEY = 'secretKey';

/** Where the operator-wide default identities live; absent when disabled. */
export interface DefaultIdentity {
  namespace: string;
  name: string;
}

/** The key Secret of a plan, as namespace/name, or undefined when none applies (default disabled). */
export function keySecretOf(source: KeySource, namespace: string, fallback: DefaultIdentity | undefined): DefaultIdentity | undefined {
  if (source.kind === 'secret') return { namespace, name: source.name };
  return fallback;
}

/** A problem with the key Secret; no retry until it changes (a watch re-triggers). */
export class KeySourceError extends AgeSecretError {}

export interface LoadOptions {
  signal?: AbortSignal | undefined;
  /** The watch cache's copy of a Secret, when the operator watches Secrets (saves a GET). */
  cached?: ((ref: DefaultIdentity) => (KubeObject & { data?: Record<string, string> }) | undefined) | undefined;
}

interface Cached {
  resourceVersion: string;
  identities: IdentitySet;
}

/** Parsed identities by key Secret, re-parsed only when its resourceVersion changes. */
export class IdentityCache {
  readonly #entries = new Map<string, Cached>();

  /** Identities from a key Secret object (from a watch cache or a GET). */
  async fromSecret(secret: KubeObject & { data?: Record<string, string> }): Promise<IdentitySet> {
    const key = `${secret.metadata.namespace}/${secret.metadata.name}`;
    const rv = secret.metadata.resourceVersion ?? '';
    const hit = this.#entries.get(key);
    if (hit && hit.resourceVersion === rv) return hit.identities;
    const encoded = secret.data?.[IDENTITY_KEY];
    if (!encoded)
      throw new KeySourceError(`key Secret ${key} has no key ${IDENTITY_KEY} (expected AGE-SECRET-KEY-1... lines)`, {
        reason: 'KeySecretInvalid',
      });
    let identities: IdentitySet;
    try {
      identities = await loadIdentities(Buffer.from(encoded, 'base64').toString('utf8'));
    } catch (error) {
      if (error instanceof InvalidIdentityError)
        throw new KeySourceError(`key Secret ${key}: ${error.message}`, { reason: 'KeySecretInvalid', cause: error });
      throw error;
    }
    this.#entries.set(key, { resourceVersion: rv, identities });
    return identities;
  }

  /** Fetches the key Secret and returns its identities; KeySourceError when it is missing or invalid. */
  async load(client: KubeClient, ref: DefaultIdentity, options: LoadOptions = {}): Promise<IdentitySet> {
    const cached = options.cached?.(ref);
    // A key Secret that an AgeSecret controls is cached without its values (compactCachedSecret): read it.
    if (cached && !valuesDropped(cached)) return this.fromSecret(cached);
    let secret: KubeObject & { data?: Record<string, string> };
    try {
      secret = await client.get(SECRETS, ref, { signal: options.signal });
    } catch (error) {
      if (error instanceof NotFoundError) {
        this.#entries.delete(`${ref.namespace}/${ref.name}`);
        throw new KeySourceError(`key Secret ${ref.namespace}/${ref.name} not found`, { reason: 'KeySecretNotFound', cause: error });
      }
      throw error;
    }
    return this.fromSecret(secret);
  }
}
