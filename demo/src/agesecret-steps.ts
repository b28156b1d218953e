// The AgeSecret half of the demo (seed 000): the namespace's cluster-held key, encryption, the Secret, the numbers app.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgeSecretCli } from './age-cli.js';
import type { DemoContext } from './context.js';
import { CommandError, DemoError } from './errors.js';
import { httpGet, pageNumbers } from './http-get.js';
import { demoNumbers, identityLine, plainAgeSecret } from './manifests.js';
import { isReady, livePods, podState } from './pods.js';
import { NotYet, waitFor } from './waiting.js';

export const NAMESPACE = 'development';
export const AGE_SECRET = 'my-secret';
export const SECRET_NAME = 'macrodata-numbers';
export const SECRET_KEY = 'numbers';
/** The key Secret the operator generates in a namespace labelled for cluster-held keys (its default name). */
export const KEY_SECRET = 'agesecret-namespace-key';
/** Where the operator publishes that key's recipients (public keys only). */
export const RECIPIENTS_CONFIGMAP = 'agesecret-recipients';
export const MANAGED_KEYS_LABEL = 'age-secret.pyvo.io/managed-keys';
/** The developer's user: may get the recipients ConfigMap and nothing else. */
export const DEVELOPER = 'developer';
const READER_ROLE = 'recipients-reader';
/** The CLI's exit code for "forbidden" (see operators/agesecret/README.md): the Role may not be in force yet. */
const FORBIDDEN_EXIT = 6;

/** What the later checks need to know: the plaintext (to compare and to look for leaks) and the developer's key. */
export interface SecretMaterial {
  plaintext: string;
  /** The developer's identity: it stays on the developer's machine, so it must appear nowhere in the cluster. */
  developerIdentity: string;
}

interface AgeSecretObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** The namespace opts in by its label; the operator (run with --managed-keys-label) generates the key, publishes its recipients. */
async function optIn(ctx: DemoContext): Promise<string[]> {
  const { narrator, kubectl } = ctx;
  await kubectl.run(['apply', '-f', join(ctx.repoRoot, 'deploy/numbers/namespace.yaml')]);
  await kubectl.run(['label', 'namespace', NAMESPACE, `${MANAGED_KEYS_LABEL}=true`, '--overwrite']);
  // The developer may read the published recipients, nothing else: no Secret, no AgeSecret, no other ConfigMap.
  await kubectl.run([
    'create',
    'role',
    READER_ROLE,
    '-n',
    NAMESPACE,
    '--verb=get',
    '--resource=configmaps',
    `--resource-name=${RECIPIENTS_CONFIGMAP}`,
  ]);
  await kubectl.run(['create', 'rolebinding', READER_ROLE, '-n', NAMESPACE, `--role=${READER_ROLE}`, `--user=${DEVELOPER}`]);
  narrator.say(`The namespace's administrator opts ${NAMESPACE} into cluster-held keys and lets the developer read its recipients:`);
  narrator.look(kubectl.command(`apply -f deploy/numbers/namespace.yaml`));
  narrator.look(kubectl.command(`label namespace ${NAMESPACE} ${MANAGED_KEYS_LABEL}=true`));
  narrator.look(
    kubectl.command(`create role ${READER_ROLE} -n ${NAMESPACE} --verb=get --resource=configmaps --resource-name=${RECIPIENTS_CONFIGMAP}`),
  );
  narrator.look(kubectl.command(`create rolebinding ${READER_ROLE} -n ${NAMESPACE} --role=${READER_ROLE} --user=${DEVELOPER}`));
  const published = await waitFor(
    `ConfigMap ${NAMESPACE}/${RECIPIENTS_CONFIGMAP} (the operator's published recipients)`,
    async () => {
      const cm = await ctx.api.find<{ data?: Record<string, string> }>(
        `/api/v1/namespaces/${NAMESPACE}/configmaps/${RECIPIENTS_CONFIGMAP}`,
        ctx.signal,
      );
      const recipients = cm?.data?.['recipients']?.split('\n').filter(Boolean) ?? [];
      return recipients.length ? recipients : new NotYet(cm ? 'no recipients in it yet' : 'not created yet');
    },
    ctx.wait,
  );
  narrator.done(`the operator generated the key Secret ${KEY_SECRET} and published its recipient in ${RECIPIENTS_CONFIGMAP}:`);
  narrator.look(kubectl.command(`get configmap ${RECIPIENTS_CONFIGMAP} -n ${NAMESPACE} -o yaml`));
  return published;
}

export async function encryptStep(ctx: DemoContext): Promise<SecretMaterial & { encryptedFile: string }> {
  const { narrator, workDir } = ctx;
  const published = await optIn(ctx);
  const age = new AgeSecretCli({ repoRoot: ctx.repoRoot, workDir, signal: ctx.signal });
  const cli = 'npx age-secret'; // the same program the demo runs (operators/agesecret/bin/age-secret.mjs)
  const kubeconfig = ctx.cluster.userKubeconfig({ user: DEVELOPER });
  // The Role reaches the API server's authorizer a moment after it is written: forbidden means "not yet" here.
  const listed = await waitFor(
    `age-secret recipients -n ${NAMESPACE} as ${DEVELOPER}`,
    async () => {
      try {
        return await age.recipients(NAMESPACE, kubeconfig);
      } catch (error) {
        if (error instanceof CommandError && error.exitCode === FORBIDDEN_EXIT) return new NotYet(error.message);
        throw error;
      }
    },
    ctx.wait,
  );
  if (listed.join() !== published.join()) {
    throw new DemoError(`age-secret recipients listed ${listed.length} recipients, not the ${published.length} the ConfigMap publishes`);
  }
  narrator.say(`The developer (user ${DEVELOPER}, allowed only that get) reads them; npx from the repo root:`);
  narrator.look(`${cli} recipients -n ${NAMESPACE} --kubeconfig ${kubeconfig}   # ${listed.join(' ')}`);
  const developer = await age.keygen('developer');
  narrator.say(`and makes an identity of their own (local.txt in the seed), so that they can still read and edit the file:`);
  narrator.look(`${cli} keygen -o ${developer.file}   # developer: ${developer.recipient}`);

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
  const encrypted = await age.encrypt(plainFile, { namespace: NAMESPACE, kubeconfig, recipients: [developer.recipient] });
  const encryptedFile = join(workDir, 'age.secret.enc.yaml');
  await writeFile(encryptedFile, encrypted, { mode: 0o600 });
  const rows = plaintext.trim().split('\n');
  if (!encrypted.includes('ENC[') || rows.some((row) => encrypted.includes(row))) {
    throw new DemoError('age-secret encrypt did not replace spec.secret with ENC[...]');
  }
  // The CLI records whom it encrypted for (annotation age-secret.pyvo.io/recipients): both must be there.
  const missing = [...published, developer.recipient].filter((r) => !encrypted.includes(r));
  if (missing.length) throw new DemoError(`age-secret encrypt did not record the recipients ${missing.join(', ')}`);
  narrator.say(
    `The AgeSecret ${AGE_SECRET} (ageSecretRef: ${KEY_SECRET}) with ${rows.length} rows of numbers in plaintext (${plainFile}, a temp file),`,
  );
  narrator.say(`encrypted for the namespace's published recipients and the developer's own:`);
  narrator.look(
    `${cli} encrypt -n ${NAMESPACE} -r ${developer.recipient} --kubeconfig ${kubeconfig} --file ${plainFile} > ${encryptedFile}`,
  );
  narrator.say(`${encryptedFile} is safe to commit: spec.secret is now ENC[...]; the developer can still read it:`);
  narrator.look(`${cli} decrypt -i ${developer.file} --file ${encryptedFile}`);
  ctx.checks.pass(
    'encrypt',
    `published ${published.map((r) => `${r.slice(0, 12)}...`).join(', ')} read as ${DEVELOPER}; own ${developer.recipient.slice(0, 12)}...`,
  );
  return { plaintext, encryptedFile, developerIdentity: identityLine(await age.readIdentity(developer)) };
}

export async function applySecretStep(ctx: DemoContext, material: SecretMaterial & { encryptedFile: string }): Promise<void> {
  const { narrator, kubectl } = ctx;
  // No key Secret to make: the operator holds the namespace's key, the AgeSecret names it.
  await kubectl.run(['apply', '-n', NAMESPACE, '-f', material.encryptedFile]);
  narrator.say(`The encrypted AgeSecret; it names the key Secret the operator generated (no key was copied by anyone):`);
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
