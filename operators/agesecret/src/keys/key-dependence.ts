// Which retiring identities an AgeSecret still needs, found by trying identities (X25519 stanzas name no recipient).
import { createHash } from 'node:crypto';
import { decryptValue } from '../crypto/age.js';
import type { IdentitySet } from '../crypto/identities.js';
import type { KubeObject } from 'capstan';
import type { AgeSecret } from '../resource.js';
import { currentRecipients, normaliseRecords, parseRecords, retiringRecipients, type KeyRecord } from './key-records.js';

/** Every ciphertext of an AgeSecret's spec, valid or not (an invalid spec still must not lose its key). */
export function ciphertextsOf(obj: Pick<AgeSecret, 'spec'>): string[] {
  const values = [obj.spec?.secret, ...Object.values(obj.spec?.data ?? {})];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** A key Secret as the dependence check sees it: its version, identities, and which recipients are current or retiring. */
export interface KeyView {
  id: string;
  version: string;
  identities: IdentitySet;
  current: string[];
  retiring: string[];
  records: KeyRecord[];
}

/** The view of a key Secret whose identities are loaded; identities without a record count as current since `firstSeen`. */
export function keyViewOf(secret: KubeObject, identities: IdentitySet, firstSeen: string): KeyView {
  const records = normaliseRecords(parseRecords(secret), identities.recipients, secret.metadata.creationTimestamp ?? firstSeen);
  return {
    id: `${secret.metadata.namespace}/${secret.metadata.name}`,
    version: secret.metadata.resourceVersion ?? '',
    identities,
    current: currentRecipients(records),
    retiring: retiringRecipients(records),
    records,
  };
}

/** The identities of `set` whose recipients are listed, as a set of its own (same order). */
export function subsetOf(set: IdentitySet, recipients: readonly string[]): IdentitySet {
  const out: IdentitySet = { identities: [], recipients: [], native: set.native };
  set.recipients.forEach((recipient, i) => {
    if (!recipients.includes(recipient)) return;
    out.identities.push(set.identities[i]!);
    out.recipients.push(recipient);
  });
  return out;
}

async function opens(ciphertext: string, set: IdentitySet): Promise<boolean> {
  if (set.identities.length === 0) return false;
  try {
    // No `at`: a binding elsewhere is the reconciler's refusal, not a question of keys. The plaintext is wiped.
    const { plaintext } = await decryptValue(ciphertext, set);
    plaintext.fill(0);
    return true;
  } catch {
    return false; // malformed, not age, or no matching identity
  }
}

/**
 * Answers "which retiring identities does this ciphertext need" for one key Secret version. An age X25519 stanza
 * carries only an ephemeral share, never the recipient, so the header cannot say whom a file is for: the only
 * sound test is to try the identities. Answers are memoised per key Secret resourceVersion and ciphertext hash,
 * so a renewal costs one try per value and identity, not one per reconcile.
 */
export class KeyDependence {
  readonly #byKey = new Map<
    string,
    { version: string; current: IdentitySet; retiring: Map<string, IdentitySet>; answers: Map<string, string[]> }
  >();

  /**
   * The retiring recipients that alone open some of these ciphertexts: a value the current identities open needs
   * none; one that nothing opens (broken, or for a foreign key) needs none either, as no key here would help.
   */
  async stillNeeded(key: Omit<KeyView, 'records'>, ciphertexts: readonly string[]): Promise<Set<string>> {
    const needed = new Set<string>();
    if (key.retiring.length === 0) return needed;
    let entry = this.#byKey.get(key.id);
    if (!entry || entry.version !== key.version) {
      entry = {
        version: key.version,
        current: subsetOf(key.identities, key.current),
        retiring: new Map(key.retiring.map((r) => [r, subsetOf(key.identities, [r])])),
        answers: new Map(),
      };
      this.#byKey.set(key.id, entry);
    }
    for (const ciphertext of ciphertexts) {
      const hash = createHash('sha256').update(ciphertext).digest('hex');
      let answer = entry.answers.get(hash);
      if (!answer) {
        answer = [];
        if (!(await opens(ciphertext, entry.current))) {
          for (const [recipient, set] of entry.retiring) if (await opens(ciphertext, set)) answer.push(recipient);
        }
        entry.answers.set(hash, answer);
      }
      for (const r of answer) needed.add(r);
    }
    return needed;
  }

  /** Forgets a key Secret (deleted, or no longer managed). */
  forget(id: string): void {
    this.#byKey.delete(id);
  }
}
