// `age-secret status`, the pure part: per AgeSecret, Ready and whether it still needs a retiring key; exit code; table.
import type { KubeObject } from 'capstan';
import { RECIPIENTS_ANNOTATION } from '../manifest/documents.js';
import type { AgeSecretStatus, Condition } from '../resource.js';
import type { PublishedRecipients } from './published-recipients.js';
import { EXIT_KEYS_UNKNOWN, EXIT_NEEDS_UPDATEKEYS, EXIT_OK } from './usage.js';

/** An AgeSecret as listed: only what status reads (the status fields may be absent, or newer than this CLI). */
export type AgeSecretObjectLike = KubeObject & { status?: AgeSecretStatus };

/** current: decrypts without a retiring key; retiring: needs `updatekeys`; unknown: cannot be told from here. */
export type KeyNeed = 'current' | 'retiring' | 'unknown';

export interface KeyStatusRow {
  name: string;
  /** Ready's status for the current generation, or Unknown. */
  ready: 'True' | 'False' | 'Unknown';
  reason: string;
  need: KeyNeed;
  /** How `need` was found (status, recorded recipients), or why it cannot be. */
  why: string;
}

const conditionOf = (obj: AgeSecretObjectLike, type: string): Condition | undefined => {
  const c = obj.status?.conditions?.find((x) => x.type === type);
  // A condition about an older generation says nothing about the ciphertexts there now.
  return c && (c.observedGeneration === undefined || c.observedGeneration === obj.metadata.generation) ? c : undefined;
};

function recorded(obj: AgeSecretObjectLike): string[] {
  const value = obj.metadata.annotations?.[RECIPIENTS_ANNOTATION] ?? '';
  return value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}

/** Whether the AgeSecret needs a retiring key: the operator's word first, else its recorded recipients. */
export function keyNeedOf(obj: AgeSecretObjectLike, published: PublishedRecipients): Pick<KeyStatusRow, 'need' | 'why'> {
  // The operator's word: status.needsReencryption, when its status is about the current generation (the operator
  // tries its identities on the ciphertexts; the CLI cannot).
  const status = obj.status;
  const current = status?.observedGeneration !== undefined && status.observedGeneration === obj.metadata.generation;
  if (current && status?.needsReencryption === true) return { need: 'retiring', why: 'operator: status.needsReencryption' };
  if (current && status?.needsReencryption === false) return { need: 'current', why: 'operator: status.needsReencryption is false' };
  // X25519 stanzas do not name their recipient: only the recipients recorded at encryption time can be compared.
  const recipients = recorded(obj);
  if (recipients.length === 0)
    return { need: 'unknown', why: `no ${RECIPIENTS_ANNOTATION} annotation, and ciphertexts do not name recipients` };
  if (recipients.some((r) => published.current.includes(r))) return { need: 'current', why: 'recorded recipients include a current one' };
  if (published.retiring?.length && recipients.some((r) => published.retiring!.includes(r)))
    return { need: 'retiring', why: 'recorded recipients include a retiring one and no current one' };
  return {
    need: 'unknown',
    why:
      published.retiring === undefined
        ? 'recorded recipients include no current one (the namespace does not list retiring keys)'
        : 'recorded recipients are neither current nor retiring (another key?)',
  };
}

export function keyStatusRow(obj: AgeSecretObjectLike, published: PublishedRecipients): KeyStatusRow {
  const ready = conditionOf(obj, 'Ready');
  const status = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  return {
    name: obj.metadata.name ?? '',
    ready: status,
    reason: ready?.reason ?? (obj.status?.conditions?.length ? 'NotObservedYet' : 'NoStatus'),
    ...keyNeedOf(obj, published),
  };
}

/** 3 when any AgeSecret needs a retiring key, else 4 when any cannot be told, else 0. */
export function statusExitCode(rows: readonly KeyStatusRow[]): number {
  if (rows.some((r) => r.need === 'retiring')) return EXIT_NEEDS_UPDATEKEYS;
  if (rows.some((r) => r.need === 'unknown')) return EXIT_KEYS_UNKNOWN;
  return EXIT_OK;
}

const NEED_LABEL: Record<KeyNeed, string> = { current: 'no', retiring: 'YES', unknown: 'unknown' };

/** The table (columns padded like kubectl's) sorted by name. */
export function renderStatus(rows: readonly KeyStatusRow[]): string {
  const lines = [
    ['NAME', 'READY', 'REASON', 'NEEDS-RETIRING-KEY', 'WHY'],
    ...[...rows].sort((a, b) => a.name.localeCompare(b.name)).map((r) => [r.name, r.ready, r.reason, NEED_LABEL[r.need], r.why]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((cell, i) => (i === l.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join('')).join('\n') + '\n';
}

/** One line for stderr: the counts and what to do. */
export function statusSummary(rows: readonly KeyStatusRow[], namespace: string): string {
  const count = (need: KeyNeed) => rows.filter((r) => r.need === need).length;
  const todo = count('retiring')
    ? `; run: age-secret updatekeys --namespace ${namespace} -i IDENTITY -w --file FILE for their manifests`
    : count('unknown')
      ? '; to be sure, run updatekeys --namespace for their manifests (it records the recipients)'
      : '';
  return `${rows.length} AgeSecret(s) in ${namespace}: ${count('current')} current, ${count('retiring')} need a retiring key, ${count('unknown')} unknown${todo}\n`;
}
