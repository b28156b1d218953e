// What an AgeSecret's status says about its key: the recipients to encrypt it for, and whether it waits on a retiring key.
import type { KubeObject } from 'capstan';
import type { IdentityCache } from '../reconcile/key-source.js';
import type { AgeSecret } from '../resource.js';
import { ciphertextsOf, keyViewOf, type KeyDependence } from './key-dependence.js';

/** The key fields of an AgeSecret's status (public keys only). */
export interface KeyStatus {
  /** The recipients new ciphertexts of this AgeSecret should be encrypted for (current identities, newest first). */
  recipients: string[];
  /** Whether some value opens only with a retiring identity: re-encrypt it (`age-secret updatekeys`) before it is retired. */
  needsReencryption: boolean;
}

/**
 * The key status from the cached key Secret; undefined when it is absent or unreadable (the Ready condition says
 * why). Informational only: retirement never trusts it (status is writable by others), the keeper decides anew.
 */
export async function keyStatusOf(
  obj: AgeSecret,
  keySecret: (KubeObject & { data?: Record<string, string> }) | undefined,
  deps: { identities: IdentityCache; dependence: KeyDependence },
): Promise<KeyStatus | undefined> {
  if (!keySecret) return undefined;
  let identities;
  try {
    identities = await deps.identities.fromSecret(keySecret);
  } catch {
    return undefined;
  }
  const key = keyViewOf(keySecret, identities, '');
  const needed = await deps.dependence.stillNeeded(key, ciphertextsOf(obj));
  return { recipients: key.current, needsReencryption: needed.size > 0 };
}
