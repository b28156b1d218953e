// The AgeSecret half of the demo (seed 000): identities, encryption, the key Secret, the Secret, the numbers app.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgeSecretCli } from './age-cli.js';
import type { DemoContext } from './context.js';
import { DemoError } from './errors.js';
import { httpGet, pageNumbers } from './http-get.js';
import { demoNumbers, identityLine, keySecret, plainAgeSecret } from './manifests.js';
import { isReady, livePods, podState } from './pods.js';
import { NotYet, waitFor } from './waiting.js';

export const NAMESPACE = 'development';
export const AGE_SECRET = 'my-secret';
export const SECRET_NAME = 'macrodata-numbers';
export const SECRET_KEY = 'numbers';
export const KEY_SECRET = 'namespace-secret';

/** What the later checks need to know: the plaintext (to compare and to look for leaks) and the cluster key. */
export interface SecretMaterial {
  plaintext: string;
  clusterIdentity: string;
}

interface AgeSecretObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export async function encryptStep(ctx: DemoContext): Promise<SecretMaterial & { encryptedFile: string }> {
  const { narrator, workDir } = ctx;
  const age = new AgeSecretCli({ repoRoot: ctx.repoRoot, workDir, signal: ctx.signal });
  const cli = 'npx age-secret'; // the same program the demo runs (operators/agesecret/bin/age-secret.mjs)
  const developer = await age.keygen('developer');
  const cluster = await age.keygen('cluster');
  narrator.say(`Two identities, as in the seed (local.txt for developers, kubernetes.txt for the operator); npx from the repo root:`);
  narrator.look(`${cli} keygen -o ${developer.file}   # developer: ${developer.recipient}`);
  narrator.look(`${cli} keygen -o ${cluster.file}   # cluster: ${cluster.recipient}`);

  const plaintext = demoNumbers();
  const plainFile = join(workDir, 'age.secret.yaml');
  await writeFile(
    plainFile,
    plainAgeSecret({
      name: AGE_SECRET,
      namespace: NAMESPACE,
      secretName: SECRET_NAME,
      secretKey: SECRET_KEY,
      keySecret: KEY_SECRET,
      value: plaintext,
    }),
    { mode: 0o600 },
  );
  const encrypted = await age.encrypt(plainFile, [developer.recipient, cluster.recipient]);
  const encryptedFile = join(workDir, 'age.secret.enc.yaml');
  await writeFile(encryptedFile, encrypted, { mode: 0o600 });
  const rows = plaintext.trim().split('\n');
  if (!encrypted.includes('ENC[') || rows.some((row) => encrypted.includes(row))) {
    throw new DemoError('age-secret encrypt did not replace spec.secret with ENC[...]');
  }
  narrator.say(
    `The AgeSecret ${AGE_SECRET} with ${rows.length} rows of numbers in plaintext (${plainFile}, a temp file), encrypted for both:`,
  );
  narrator.look(`${cli} encrypt --file ${plainFile} -r ${developer.recipient} -r ${cluster.recipient} > ${encryptedFile}`);
  narrator.say(`${encryptedFile} is safe to commit: spec.secret is now ENC[...]; the developer can still read it:`);
  narrator.look(`${cli} decrypt -i ${developer.file} --file ${encryptedFile}`);
  ctx.checks.pass('encrypt', `recipients ${developer.recipient.slice(0, 12)}... and ${cluster.recipient.slice(0, 12)}...`);
  return { plaintext, encryptedFile, clusterIdentity: identityLine(await age.readIdentity(cluster)) };
}

export async function applySecretStep(ctx: DemoContext, material: SecretMaterial & { encryptedFile: string }): Promise<void> {
  const { narrator, kubectl } = ctx;
  await kubectl.run(['apply', '-f', join(ctx.repoRoot, 'deploy/numbers/namespace.yaml')]);
  // Through stdin: the cluster's private key never lands in a file outside the demo's temp dir.
  await kubectl.applyText(keySecret({ name: KEY_SECRET, namespace: NAMESPACE, identity: material.clusterIdentity }));
  narrator.say(`The key Secret ${KEY_SECRET} (secretKey: AGE-SECRET-KEY-... of the cluster identity) and the encrypted AgeSecret:`);
  narrator.look(kubectl.command(`create secret generic ${KEY_SECRET} -n ${NAMESPACE} --from-literal=secretKey=AGE-SECRET-KEY-...`));
  await kubectl.run(['apply', '-n', NAMESPACE, '-f', material.encryptedFile]);
  narrator.look(kubectl.command(`apply -n ${NAMESPACE} -f ${material.encryptedFile}`));

  const reason = await waitFor(
    `AgeSecret ${NAMESPACE}/${AGE_SECRET} to be Ready`,
    async () => {
      const obj = await ctx.api.find<AgeSecretObject>(`/apis/pyvo.io/v1/namespaces/${NAMESPACE}/agesecrets/${AGE_SECRET}`, ctx.signal);
      const ready = obj?.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') return ready.reason ?? 'Ready';
      return new NotYet(ready ? `Ready=${ready.status} ${ready.reason ?? ''}: ${ready.message ?? ''}` : 'no Ready condition yet');
    },
    ctx.wait,
  );
  ctx.checks.pass('agesecret-ready', `reason ${reason}`);

  const value = await waitFor(
    `Secret ${NAMESPACE}/${SECRET_NAME}`,
    async () => {
      const secret = await ctx.api.find<{ data?: Record<string, string> }>(
        `/api/v1/namespaces/${NAMESPACE}/secrets/${SECRET_NAME}`,
        ctx.signal,
      );
      const data = secret?.data?.[SECRET_KEY];
      return data === undefined
        ? new NotYet(secret ? `no key ${SECRET_KEY}` : 'not created yet')
        : Buffer.from(data, 'base64').toString('utf8');
    },
    ctx.wait,
  );
  if (value !== material.plaintext) {
    ctx.checks.fail('secret-value', `key ${SECRET_KEY} differs from the plaintext (${value.length} vs ${material.plaintext.length} bytes)`);
  } else {
    ctx.checks.pass('secret-value', `${value.length} bytes, equal to the plaintext`);
  }
  narrator.done(`the operator decrypted it into the Secret ${SECRET_NAME}. Look:`);
  narrator.look(kubectl.command(`get agesecrets -n ${NAMESPACE}`));
  narrator.look(kubectl.command(`get secret ${SECRET_NAME} -n ${NAMESPACE} -o jsonpath='{.data.${SECRET_KEY}}' | base64 -d`));
}

export async function numbersAppStep(ctx: DemoContext, material: SecretMaterial): Promise<void> {
  const { narrator, kubectl } = ctx;
  await kubectl.applyKustomization(join(ctx.repoRoot, 'deploy/numbers'));
  narrator.look(kubectl.command('apply -k deploy/numbers'));
  const pod = await waitFor(
    'the numbers app pod to be Ready',
    async () => {
      const pods = await livePods(ctx.api, NAMESPACE, { app: 'application' }, ctx.signal);
      const ready = pods.find((p) => isReady(p) && p.status?.podIP);
      return ready ?? new NotYet(pods[0] ? podState(pods[0]) : 'no pod yet');
    },
    ctx.wait,
  );
  const url = `http://${pod.status?.podIP}:5000/`;
  const expected = material.plaintext.split(/\s+/).filter(Boolean);
  const shown = await waitFor(
    `${url} to show the numbers`,
    async () => {
      const answer = await httpGet(url, { signal: ctx.signal });
      const numbers = pageNumbers(answer.body);
      return answer.status === 200 && numbers.length ? numbers : new NotYet(`HTTP ${answer.status}, ${numbers.length} numbers`);
    },
    ctx.wait,
  );
  if (shown.join(' ') === expected.join(' ')) ctx.checks.pass('numbers-page', `${url}: ${shown.length} numbers, in order`);
  else ctx.checks.fail('numbers-page', `${url}: shows ${shown.length} numbers that differ from the Secret's ${expected.length}`);
  narrator.done(`the numbers app mounts the Secret and shows the numbers. Open (or curl):`);
  narrator.look(`curl ${url}        # the Macrodata Refinement screen`);
  narrator.look(kubectl.command(`get pods -n ${NAMESPACE} -o wide`));
}
