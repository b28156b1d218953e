// Whose a target Secret is: ours, ours to adopt (consent given on the Secret itself), or someone else's.
import type { KubeObject } from 'capstan';
import { isOwnedBy } from './desired-secret.js';

/**
 * The annotation by which someone allowed to edit a Secret hands it over to the AgeSecret it names (same
 * namespace). Consent lives on the Secret, never on the AgeSecret: whoever may create AgeSecrets but not
 * edit Secrets cannot take one over.
 */
export const ADOPT_ANNOTATION = 'age-secret.pyvo.io/adopt';

/** `owned`: ours to write; `adoptable`: consented to be taken over by this AgeSecret; `foreign`: never touched. */
export type Ownership = 'owned' | 'adoptable' | 'foreign';

/** The AgeSecret asking: its name (what the consent names) and uid (what the ownerReference carries). */
export interface Claimant {
  name: string;
  uid: string | undefined;
}

/**
 * Decides whether an AgeSecret may write an existing Secret. Adoption needs all of: the annotation naming
 * exactly this AgeSecret, and no controller at all (a Secret some other controller manages is not handed over
 * by an annotation: that controller would fight back, and an AgeSecret's spec.annotations could forge it).
 */
export function ownershipOf(secret: KubeObject, claimant: Claimant): Ownership {
  if (isOwnedBy(secret, claimant.uid)) return 'owned';
  const consent = secret.metadata.annotations?.[ADOPT_ANNOTATION];
  const controlled = (secret.metadata.ownerReferences ?? []).some((ref) => ref.controller === true);
  return consent !== undefined && consent === claimant.name && !controlled ? 'adoptable' : 'foreign';
}
