// Searching for secrets where none may be: needles (plaintexts, their base64, identities) in any text, and the plain
// hashes of a Secret's data a published hash must not equal.
import { createHash } from 'node:crypto';

export interface LeakFinder {
  /** Records a leak for every needle found in `text` (`where` names the place). */
  look(where: string, text: string): void;
  leaks: string[];
}

export function leakFinder(needles: readonly string[]): LeakFinder {
  const leaks: string[] = [];
  return {
    leaks,
    look(where, text) {
      for (const n of needles) if (text.includes(n)) leaks.push(`${where}: contains ${n.slice(0, 24)}...`);
    },
  };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data);

/**
 * Unkeyed hashes anyone could compute from a guess of the data (`data` as in the Secret, base64 values): sha256 of
 * each value (plain and base64) and of the whole data (as the data-hash annotation), in hex and base64.
 */
export function plainHashes(data: Record<string, string>): string[] {
  const entries = Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const inputs: (string | Buffer)[] = [JSON.stringify(entries), JSON.stringify(data)];
  for (const v of Object.values(data)) inputs.push(v, Buffer.from(v, 'base64'));
  return inputs.flatMap((i) => [sha256(i).digest('hex'), sha256(i).digest('base64')]);
}

/** True when `published` is, or is a prefix of, a plain hash of the data (a truncated hash is no better). */
export const isPlainHash = (published: string, data: Record<string, string>) =>
  plainHashes(data).some((h) => h === published || (published.length >= 8 && h.startsWith(published)));
