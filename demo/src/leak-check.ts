// "Secrets never leak": the plaintext and the age identities must not appear in operator logs, status or Events.
import { readFile } from 'node:fs/promises';
import { AGE_SECRET, KEY_SECRET, NAMESPACE, type SecretMaterial } from './agesecret-steps.js';
import type { DemoContext } from './context.js';
import { identityLines } from './manifests.js';

/** The needles: each row of numbers (a whole row, so timestamps cannot match by chance) and the identities. */
export function leakNeedles(plaintext: string, identities: string[]): string[] {
  return [
    ...plaintext
      .trim()
      .split('\n')
      .map((r) => r.trim())
      .filter((r) => r.length >= 8),
    ...identities,
  ];
}

export function findLeaks(haystacks: Record<string, string>, needles: string[]): string[] {
  return Object.entries(haystacks)
    .filter(([, text]) => needles.some((n) => text.includes(n)))
    .map(([where]) => where);
}

/** The identities of the key Secret the operator generated (read as the admin, only to search for them). */
async function clusterIdentities(ctx: DemoContext): Promise<string[]> {
  const secret = await ctx.api.find<{ data?: Record<string, string> }>(`/api/v1/namespaces/${NAMESPACE}/secrets/${KEY_SECRET}`, ctx.signal);
  return identityLines(Buffer.from(secret?.data?.['secretKey'] ?? '', 'base64').toString('utf8'));
}

export async function leakCheck(ctx: DemoContext, material: SecretMaterial, logFiles: string[]): Promise<void> {
  const held = await clusterIdentities(ctx);
  // Without the cluster's identity to look for, "no leak" would be claimed of half the secrets only.
  if (!held.length) return ctx.checks.fail('no-leak', `the key Secret ${NAMESPACE}/${KEY_SECRET} holds no identity to search for`);
  const haystacks: Record<string, string> = {};
  for (const file of logFiles) haystacks[file] = await readFile(file, 'utf8').catch(() => '');
  haystacks[`agesecret ${AGE_SECRET}`] = JSON.stringify(
    await ctx.api.find(`/apis/pyvo.io/v1/namespaces/${NAMESPACE}/agesecrets/${AGE_SECRET}`, ctx.signal),
  );
  haystacks['events'] = JSON.stringify(await ctx.api.get('/api/v1/events', ctx.signal));
  const leaks = findLeaks(haystacks, leakNeedles(material.plaintext, [material.developerIdentity, ...held]));
  const searched = `${logFiles.length} operator logs, the AgeSecret, every Event; ${held.length + 1} identities and the rows`;
  if (leaks.length) ctx.checks.fail('no-leak', `plaintext or key found in: ${leaks.join(', ')}`);
  else ctx.checks.pass('no-leak', searched);
}
