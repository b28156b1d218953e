// "Secrets never leak": the plaintext and the cluster key must not appear in operator logs, status or Events.
import { readFile } from 'node:fs/promises';
import { AGE_SECRET, NAMESPACE, type SecretMaterial } from './agesecret-steps.js';
import type { DemoContext } from './context.js';

/** The needles: each row of numbers (a whole row, so timestamps cannot match by chance) and the identity. */
export function leakNeedles(material: SecretMaterial): string[] {
  return [
    ...material.plaintext
      .trim()
      .split('\n')
      .map((r) => r.trim())
      .filter((r) => r.length >= 8),
    material.clusterIdentity,
  ];
}

export function findLeaks(haystacks: Record<string, string>, needles: string[]): string[] {
  return Object.entries(haystacks)
    .filter(([, text]) => needles.some((n) => text.includes(n)))
    .map(([where]) => where);
}

export async function leakCheck(ctx: DemoContext, material: SecretMaterial, logFiles: string[]): Promise<void> {
  const haystacks: Record<string, string> = {};
  for (const file of logFiles) haystacks[file] = await readFile(file, 'utf8').catch(() => '');
  haystacks[`agesecret ${AGE_SECRET}`] = JSON.stringify(
    await ctx.api.find(`/apis/pyvo.io/v1/namespaces/${NAMESPACE}/agesecrets/${AGE_SECRET}`, ctx.signal),
  );
  haystacks['events'] = JSON.stringify(await ctx.api.get('/api/v1/events', ctx.signal));
  const leaks = findLeaks(haystacks, leakNeedles(material));
  const searched = `${logFiles.length} operator logs, the AgeSecret, every Event`;
  if (leaks.length) ctx.checks.fail('no-leak', `plaintext or key found in: ${leaks.join(', ')}`);
  else ctx.checks.pass('no-leak', searched);
}
