// Bearer tokens for arbitrary users: HMAC-signed claims that the cluster's token webhook verifies statelessly.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A user a minted token authenticates as: name, groups and uid. */
export interface UserIdentity {
  /** The user name (required). */
  user: string;
  /** The groups the user is in. */
  groups?: string[];
  /** The user's uid. */
  uid?: string;
}

const PREFIX = 'capstan-user';

/** Anyone holding the cluster's signing secret (cluster.json, mode 0600) can mint tokens, from any process. */
export function mintUserToken(secret: string, identity: UserIdentity): string {
  if (!identity.user) throw new TypeError('mintUserToken needs a user name');
  const claims = Buffer.from(JSON.stringify({ u: identity.user, g: identity.groups ?? [], i: identity.uid ?? '' })).toString('base64url');
  return `${PREFIX}.${claims}.${sign(secret, claims)}`;
}

/** The identity in a token, or undefined when it is not one of ours or its signature does not match. */
export function verifyUserToken(secret: string, token: string): UserIdentity | undefined {
  const [prefix, claims, signature] = token.split('.');
  if (prefix !== PREFIX || !claims || !signature || token.split('.').length !== 3) return undefined;
  const expected = Buffer.from(sign(secret, claims));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { u?: unknown; g?: unknown; i?: unknown };
    if (typeof parsed.u !== 'string' || !parsed.u) return undefined;
    const groups = Array.isArray(parsed.g) ? parsed.g.filter((g): g is string => typeof g === 'string') : [];
    return { user: parsed.u, groups, uid: typeof parsed.i === 'string' ? parsed.i : '' };
  } catch {
    return undefined;
  }
}

function sign(secret: string, claims: string): string {
  return createHmac('sha256', secret).update(`${PREFIX}.${claims}`).digest('base64url');
}
