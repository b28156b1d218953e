// The AgeSecret operator against the real local control plane: the seed walkthrough and every rule of issue 5.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, type KubeObject, type OperatorHooks } from 'capstan';
import { runOperatorInProcess, type RunningOperator } from 'capstan/testing';
import { runCli } from './cli/run.js';
import type { CliIo } from './cli/io.js';
import { createAgeSecretOperator, RETIRED_FINALIZER } from './operator.js';
import { applyAgeSecret } from './reconcile/apply.js';
import { IdentityCache } from './reconcile/key-source.js';
import {
  AGESECRETS,
  ageSecret,
  b64,
  createNamespace,
  deleteNamespaces,
  encryptFor,
  eventsFor,
  installCrd,
  putKeySecret,
  SECRETS,
  eventually,
  secretOf,
  unb64,
  uniqueName,
  waitEvent,
  waitGone,
  waitReady,
  waitSecret,
  type AgeSecretObject,
} from './test-fixtures.js';

const hasAge = (() => {
  try {
    execFileSync('age', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

/** Runs the CLI as a function in `dir`. */
async function cli(dir: string, args: string[], stdin = ''): Promise<string> {
  let out = '';
  let err = '';
  const io: CliIo = {
    readStdin: async () => stdin,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: {},
    cwd: dir,
  };
  const code = await runCli(args, io);
  assert.equal(code, 0, `age-secret ${args[0]} exited ${code}: ${err}`);
  return out;
}

describe('AgeSecret operator', () => {
  let client: ApiClient;
  let ns: string;
  let ns2: string;
  let opNs: string;
  let dir: string;
  let localKey: string;
  let kubeKey: string;
  let local: string;
  let kube: string;
  let kubeconfigPath: string;
  let running: RunningOperator;
  // Every log line of every operator run (debug level), to check that no plaintext or key reaches the logs.
  const logs: string[] = [];
  /** The operator in-process (capstan/testing), serving ns and ns2; the default identity lives in opNs. */
  const start = (hooks?: OperatorHooks) =>
    runOperatorInProcess(
      (settings) =>
        createAgeSecretOperator({
          kubeconfig: settings.kubeconfigPath,
          logger: settings.logger,
          namespaces: [ns, ns2],
          defaultIdentity: { namespace: opNs, name: 'default-identity' },
          backoff: { baseMs: 200, capMs: 2000 },
          ...(hooks ? { hooks } : {}),
        }).operator,
      { kubeconfigPath, namespaces: [ns, ns2, opNs] },
    );
  const stopOperator = async () => {
    await running.stop();
    logs.push(...running.logs);
  };

  before(async () => {
    const cluster = await useTestCluster();
    kubeconfigPath = cluster.kubeconfigPath;
    client = await ApiClient.create(cluster.kubeconfigPath);
    await installCrd(client);
    [ns, ns2, opNs] = await Promise.all([
      createNamespace(client, 'asec-dev'),
      createNamespace(client, 'asec-other'),
      createNamespace(client, 'asec-system'),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'agesecret-e2e-'));
    // The seed's two keys, made with our keygen: local.txt (developers) and kubernetes.txt (the operator).
    await cli(dir, ['keygen', '-o', 'local.txt']);
    await cli(dir, ['keygen', '-o', 'kubernetes.txt']);
    localKey = readFileSync(join(dir, 'local.txt'), 'utf8');
    kubeKey = readFileSync(join(dir, 'kubernetes.txt'), 'utf8');
    local = (await cli(dir, ['keygen', '-y', 'local.txt'])).trim();
    kube = (await cli(dir, ['keygen', '-y', 'kubernetes.txt'])).trim();
    running = await start();
  });

  after(async () => {
    await stopOperator();
    await deleteNamespaces(client, [ns, ns2, opNs]);
    client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the seed's walkthrough: keygen, encrypt for both keys, key Secret, apply, update, delete", async () => {
    writeFileSync(
      join(dir, 'age.secret.yaml'),
      'apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata:\n  name: my-secret\nspec:\n  secretName: macrodata-numbers\n  secretKey: numbers\n  secret: "Hello world!"\n  ageSecretRef: namespace-secret\n',
    );
    const encrypted = await cli(dir, ['encrypt', '--file', 'age.secret.yaml', '-r', local, '-r', kube]);
    await putKeySecret(
      client,
      ns,
      'namespace-secret',
      kubeKey.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!,
    );
    const manifest = parse(encrypted) as AgeSecretObject;
    await client.create(AGESECRETS, { ...manifest, metadata: { ...manifest.metadata, namespace: ns } });

    const secret = await waitSecret(client, ns, 'macrodata-numbers', (s) => Boolean(s.data?.['numbers']));
    assert.equal(unb64(secret.data?.['numbers']), 'Hello world!');
    assert.equal(secret.type, 'Opaque');
    const owner = secret.metadata.ownerReferences?.[0];
    assert.equal(owner?.kind, 'AgeSecret');
    assert.equal(owner?.controller, true);
    const ready = await waitReady(client, ns, 'my-secret', 'True', 'Decrypted');
    assert.ok(!ready.message.includes('Hello'));
    const obj = await client.get<AgeSecretObject>(AGESECRETS, { namespace: ns, name: 'my-secret' });
    assert.equal(obj.metadata.finalizers, undefined, 'no finalizer: the Secret is owned');
    assert.equal(obj.status?.secretName, 'macrodata-numbers');
    // Routine success is the Ready condition; an Event would have been posted before the status was written.
    assert.deepEqual(
      (await eventsFor(client, ns, 'my-secret')).map((e) => e.reason),
      [],
    );

    // Update: a new value for the same key.
    const newValue = await encryptFor([local, kube], 'Goodbye world!');
    await client.patch(AGESECRETS, { namespace: ns, name: 'my-secret' }, { spec: { secret: newValue } });
    await waitSecret(client, ns, 'macrodata-numbers', (s) => unb64(s.data?.['numbers']) === 'Goodbye world!');

    // Delete: garbage collection takes the Secret with it.
    await client.delete(AGESECRETS, { namespace: ns, name: 'my-secret' });
    await waitGone(client, AGESECRETS, ns, 'my-secret');
    await waitGone(client, SECRETS, ns, 'macrodata-numbers');
  });

  test('drift: an edited or deleted Secret is restored', async () => {
    await putKeySecret(client, ns, 'namespace-secret', kubeKey);
    const name = uniqueName('drift');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, {
        secretName: name,
        secretKey: 'v',
        secret: await encryptFor([kube], 'drift-original-7'),
        ageSecretRef: 'namespace-secret',
      }),
    );
    await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'drift-original-7');
    await client.patch(SECRETS, { namespace: ns, name }, { data: { v: b64('tampered-9'), extra: b64('x') } });
    await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'drift-original-7' && !s.data?.['extra']);
    await waitEvent(client, ns, name, 'SecretUpdated');
    await client.delete(SECRETS, { namespace: ns, name });
    await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'drift-original-7');
  });

  test('never overwrites or adopts an unowned Secret; proceeds once it is gone', async () => {
    await putKeySecret(client, ns, 'namespace-secret', kubeKey);
    const target = uniqueName('taken');
    await client.create(SECRETS, { metadata: { name: target, namespace: ns }, data: { token: b64('precious') } } as unknown as KubeObject, {
      namespace: ns,
    });
    const name = uniqueName('thief');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, {
        secretName: target,
        secretKey: 'token',
        secret: await encryptFor([kube], 'attacker-3'),
        ageSecretRef: 'namespace-secret',
      }),
    );
    const cond = await waitReady(client, ns, name, 'False', 'SecretNotOwned');
    assert.match(cond.message, /not owned/);
    await waitEvent(client, ns, name, 'SecretNotOwned');
    const untouched = await secretOf(client, ns, target);
    assert.equal(unb64(untouched?.data?.['token']), 'precious');
    assert.equal(untouched?.metadata.ownerReferences, undefined);
    // Deleting the AgeSecret must not delete the Secret it never owned.
    await client.delete(AGESECRETS, { namespace: ns, name });
    await waitGone(client, AGESECRETS, ns, name);
    assert.equal(unb64((await secretOf(client, ns, target))?.data?.['token']), 'precious');

    // A second AgeSecret waiting on a taken name proceeds as soon as the name is free (watch trigger).
    const waiting = uniqueName('waiting');
    await client.create(
      AGESECRETS,
      ageSecret(ns, waiting, {
        secretName: target,
        secretKey: 'token',
        secret: await encryptFor([kube], 'mine-now-4'),
        ageSecretRef: 'namespace-secret',
      }),
    );
    await waitReady(client, ns, waiting, 'False', 'SecretNotOwned');
    await client.delete(SECRETS, { namespace: ns, name: target });
    await waitSecret(client, ns, target, (s) => unb64(s.data?.['token']) === 'mine-now-4');
  });

  test('secretName change removes the old Secret; type, labels and annotations reach the Secret', async () => {
    await putKeySecret(client, ns, 'namespace-secret', kubeKey);
    const name = uniqueName('rename');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, {
        secretName: `${name}-a`,
        ageSecretRef: 'namespace-secret',
        data: { username: await encryptFor([kube], 'mark'), password: await encryptFor([kube], 'cold-harbor') },
        labels: { app: 'numbers' },
        annotations: { team: 'mdr' },
      }),
    );
    const first = await waitSecret(client, ns, `${name}-a`, (s) => unb64(s.data?.['password']) === 'cold-harbor');
    assert.equal(first.metadata.labels?.['app'], 'numbers');
    assert.equal(first.metadata.annotations?.['team'], 'mdr');
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { secretName: `${name}-b`, type: 'kubernetes.io/basic-auth' } });
    const second = await waitSecret(client, ns, `${name}-b`, (s) => s.type === 'kubernetes.io/basic-auth');
    assert.equal(unb64(second.data?.['username']), 'mark');
    await waitGone(client, SECRETS, ns, `${name}-a`);
    await waitEvent(client, ns, name, 'SecretDeleted');
    // Type is immutable on a Secret: changing it recreates the Secret.
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { type: 'Opaque' } });
    await waitSecret(client, ns, `${name}-b`, (s) => s.type === 'Opaque' && unb64(s.data?.['username']) === 'mark');
  });

  test('a missing key Secret: Ready=False, then Ready as soon as it appears; key rotation in the key file', async () => {
    const keyName = uniqueName('late-key');
    const name = uniqueName('waits');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, { secretName: name, secretKey: 'v', secret: await encryptFor([local], 'patience'), ageSecretRef: keyName }),
    );
    await waitReady(client, ns, name, 'False', 'KeySecretNotFound');
    await waitEvent(client, ns, name, 'KeySecretNotFound');
    // The operator does not retry these on a timer: only the key Secret's appearance can make this Ready.
    await putKeySecret(client, ns, keyName, kubeKey);
    await waitReady(client, ns, name, 'False', 'NoMatchingKey');
    await putKeySecret(client, ns, keyName, `# rotated: old and new\n${kubeKey}\n${localKey}`);
    await waitReady(client, ns, name, 'True');
    assert.equal(unb64((await secretOf(client, ns, name))?.data?.['v']), 'patience');
  });

  test('default identity Secret in the operator namespace when ageSecretRef is absent; cross-namespace refs refused', async () => {
    const name = uniqueName('default');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, { secretName: name, secretKey: 'v', secret: await encryptFor([kube], 'from default') }),
    );
    await waitReady(client, ns, name, 'False', 'KeySecretNotFound');
    await putKeySecret(client, opNs, 'default-identity', kubeKey);
    await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'from default');
    const cross = uniqueName('cross');
    await client.create(
      AGESECRETS,
      ageSecret(ns, cross, {
        secretName: cross,
        secretKey: 'v',
        secret: await encryptFor([kube], 'x'),
        ageSecretRef: `${opNs}/default-identity`,
      }),
    );
    await waitReady(client, ns, cross, 'False', 'CrossNamespaceKeyRef');
    assert.equal(await secretOf(client, ns, cross), undefined);
  });

  test('binding: a bound ciphertext works where bound and is refused anywhere else', async () => {
    await Promise.all([putKeySecret(client, ns, 'namespace-secret', kubeKey), putKeySecret(client, ns2, 'namespace-secret', kubeKey)]);
    const name = uniqueName('bound');
    const ciphertext = await encryptFor([kube], 'bound value', { namespace: ns, name });
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, { secretName: name, secretKey: 'v', secret: ciphertext, ageSecretRef: 'namespace-secret' }),
    );
    await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'bound value');
    await client.create(
      AGESECRETS,
      ageSecret(ns2, name, { secretName: name, secretKey: 'v', secret: ciphertext, ageSecretRef: 'namespace-secret' }),
    );
    const refused = await waitReady(client, ns2, name, 'False', 'BindingMismatch');
    assert.match(refused.message, new RegExp(`bound to ${ns}/${name}`));
    assert.equal(await secretOf(client, ns2, name), undefined);
  });

  test(
    'age 1.1.1 ciphertexts (binary in ENC[...], bare base64, armored) decrypt in the cluster',
    { skip: !hasAge && 'no age binary' },
    async () => {
      await putKeySecret(client, ns, 'namespace-secret', kubeKey);
      const binary = execFileSync('age', ['-r', kube], { input: 'age-cli-binary' });
      const armored = execFileSync('age', ['-a', '-r', kube], { input: 'armoured-by-age-cli', encoding: 'utf8' });
      const name = uniqueName('interop');
      await client.create(
        AGESECRETS,
        ageSecret(ns, name, {
          secretName: name,
          ageSecretRef: 'namespace-secret',
          data: { enc: `ENC[${binary.toString('base64')}]`, bare: binary.toString('base64'), armor: armored },
        }),
      );
      const s = await waitSecret(client, ns, name, (x) => Boolean(x.data?.['armor']));
      assert.deepEqual(
        [unb64(s.data?.['enc']), unb64(s.data?.['bare']), unb64(s.data?.['armor'])],
        ['age-cli-binary', 'age-cli-binary', 'armoured-by-age-cli'],
      );
    },
  );

  test('an up-to-date Secret is not decrypted again; a changed ciphertext is', async () => {
    const keyName = uniqueName('skip-key');
    await putKeySecret(client, ns, keyName, kubeKey);
    const name = uniqueName('skip');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, { secretName: name, secretKey: 'v', secret: await encryptFor([kube], 'skip-once-v1'), ageSecretRef: keyName }),
    );
    await waitReady(client, ns, name, 'True');
    const before = await secretOf(client, ns, name);
    await client.delete(SECRETS, { namespace: ns, name: keyName });
    // A new generation whose inputs (ciphertexts, target) are unchanged: Ready for it without any key at hand.
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { ageSecretRef: `${keyName}-gone` } });
    await waitReady(client, ns, name, 'True');
    assert.equal((await secretOf(client, ns, name))?.metadata.resourceVersion, before?.metadata.resourceVersion);
    await client.patch(AGESECRETS, { namespace: ns, name }, { spec: { secret: await encryptFor([kube], 'skip-twice-v2') } });
    await waitReady(client, ns, name, 'False', 'KeySecretNotFound');
    assert.equal(unb64((await secretOf(client, ns, name))?.data?.['v']), 'skip-once-v1', 'the last good Secret stays');
  });

  // Plaintext never gets this far on a current cluster: the CRD refuses it at apply time (resource.cluster.test.ts);
  // the operator's own NotEncrypted refusal (crypto/age.test.ts) serves clusters with an older CRD.
  test('bad input gets a precise condition and Event, no Secret, no plaintext; others proceed', async () => {
    await putKeySecret(client, ns, 'namespace-secret', kubeKey);
    const other = (await cli(dir, ['keygen']))
      .split('\n')
      .find((l) => l.startsWith('# public key: '))!
      .slice('# public key: '.length);
    const big = new Uint8Array(1024 * 1024 + 16).fill(65);
    const cases: [string, Record<string, unknown>, string][] = [
      ['garbage', { secretKey: 'v', secret: 'ENC[!!!not-base64!!!]' }, 'MalformedCiphertext'],
      ['wrongkey', { secretKey: 'v', secret: await encryptFor([other], 'wrong key plaintext') }, 'NoMatchingKey'],
      ['nokey', { secret: await encryptFor([kube], 'x') }, 'MissingField'],
      ['nothing', {}, 'MissingField'],
      ['badname', { secretName: 'Not_A_Valid_Name', secretKey: 'v', secret: await encryptFor([kube], 'x') }, 'InvalidSecretName'],
      ['toolarge', { secretKey: 'v', secret: await encryptFor([kube], big) }, 'ValueTooLarge'],
    ];
    const names = cases.map(([prefix]) => uniqueName(prefix));
    await Promise.all(
      cases.map(([, spec], i) =>
        client.create(AGESECRETS, ageSecret(ns, names[i]!, { secretName: names[i]!, ageSecretRef: 'namespace-secret', ...spec })),
      ),
    );
    const good = uniqueName('good');
    await client.create(
      AGESECRETS,
      ageSecret(ns, good, {
        secretName: good,
        secretKey: 'v',
        secret: await encryptFor([kube], 'fine-and-dandy'),
        ageSecretRef: 'namespace-secret',
      }),
    );
    for (const [i, [, , reason]] of cases.entries()) {
      const name = names[i]!;
      const cond = await waitReady(client, ns, name, 'False', reason);
      const event = await waitEvent(client, ns, name, reason);
      assert.equal(event.type, 'Warning');
      for (const text of [cond.message, event.message ?? '']) {
        assert.ok(!/Hello world|wrong key plaintext|AGE-SECRET-KEY/.test(text), `${reason} leaks: ${text}`);
      }
      assert.equal(await secretOf(client, ns, name), undefined, `${reason}: no Secret`);
    }
    await waitSecret(client, ns, good, (s) => unb64(s.data?.['v']) === 'fine-and-dandy');
    const allEvents = await eventsFor(client, ns, names[1]!);
    assert.ok(allEvents.every((e) => !(e.message ?? '').includes('wrong key plaintext')));
  });

  test('requireBinding: unbound ciphertexts refused, bound ones accepted (the reconcile core, no operator)', async () => {
    const ns3 = await createNamespace(client, 'asec-strict');
    try {
      await putKeySecret(client, ns3, 'k', kubeKey);
      const deps = { client, identities: new IdentityCache(), settings: { fieldManager: 'agesecret-tests', requireBinding: true } };
      // A real object (so the garbage collector keeps its Secret), in a namespace the operator does not serve.
      const created = await client.create<AgeSecretObject>(
        AGESECRETS,
        ageSecret(ns3, 'strict', {
          secretName: 'strict',
          secretKey: 'v',
          secret: await encryptFor([kube], 'unbound-5'),
          ageSecretRef: 'k',
        }),
        { namespace: ns3 },
      );
      const unbound = await applyAgeSecret(created, deps);
      assert.deepEqual(unbound.ok ? 'ok' : unbound.reason, 'BindingRequired');
      const boundObj = { ...created, spec: { ...created.spec, secret: await encryptFor([kube], 'bound-6', { namespace: ns3 }) } };
      const bound = await applyAgeSecret(boundObj, deps);
      assert.equal(bound.ok && bound.action, 'created');
      assert.equal(unb64((await secretOf(client, ns3, 'strict'))?.data?.['v']), 'bound-6');
    } finally {
      await deleteNamespaces(client, [ns3]);
    }
  });

  /** The reconcile core's dependencies with a cache that has nothing: every miss is taken as "absent". */
  const blindDeps = () => ({
    client,
    identities: new IdentityCache(),
    settings: { fieldManager: 'agesecret-tests' },
    cachedSecret: () => undefined,
    cacheComplete: () => true,
  });

  test('a stale cache that misses an existing Secret still never overwrites it (the reconcile core, no operator)', async () => {
    const ns4 = await createNamespace(client, 'asec-stale');
    try {
      await putKeySecret(client, ns4, 'k', kubeKey);
      await client.create(SECRETS, { metadata: { name: 'busy', namespace: ns4 }, data: { v: b64('theirs-8') } } as unknown as KubeObject, {
        namespace: ns4,
      });
      const blind = blindDeps();
      const foreign = await client.create<AgeSecretObject>(
        AGESECRETS,
        ageSecret(ns4, 'foreign', { secretName: 'busy', secretKey: 'v', secret: await encryptFor([kube], 'ours-9'), ageSecretRef: 'k' }),
        { namespace: ns4 },
      );
      const refused = await applyAgeSecret(foreign, blind);
      assert.equal(refused.ok ? 'ok' : refused.reason, 'SecretNotOwned');
      assert.equal(unb64((await secretOf(client, ns4, 'busy'))?.data?.['v']), 'theirs-8');
      const mine = await client.create<AgeSecretObject>(
        AGESECRETS,
        ageSecret(ns4, 'mine', { secretName: 'mine', secretKey: 'v', secret: await encryptFor([kube], 'ours-9'), ageSecretRef: 'k' }),
        { namespace: ns4 },
      );
      assert.equal((await applyAgeSecret(mine, blind)).ok, true);
      const again = await applyAgeSecret(mine, blind);
      assert.equal(again.ok && again.action, 'unchanged');
    } finally {
      await deleteNamespaces(client, [ns4]);
    }
  });

  test("a cache that lags an AgeSecret's deletion does not re-create its Secret; a live one restores it (the reconcile core)", async () => {
    const ns5 = await createNamespace(client, 'asec-lag');
    try {
      await putKeySecret(client, ns5, 'k', kubeKey);
      const blind = blindDeps();
      const ciphertext = await encryptFor([kube], 'lagging-10');
      const body = (name: string) => ageSecret(ns5, name, { secretName: name, secretKey: 'v', secret: ciphertext, ageSecretRef: 'k' });
      const gone = await client.create<AgeSecretObject>(AGESECRETS, body('gone'), { namespace: ns5 });
      const live = await client.create<AgeSecretObject>(AGESECRETS, body('live'), { namespace: ns5 });
      for (const obj of [gone, live]) assert.equal((await applyAgeSecret(obj, blind)).ok, true);
      // What the cache still holds: both as they were once written (status names their Secret).
      const stale = (obj: AgeSecretObject) => ({ ...obj, status: { secretName: obj.metadata.name } }) as AgeSecretObject;
      // "gone" is deleted and its Secret collected; the cache has not heard. "live"'s Secret is deleted by a user.
      await client.delete(AGESECRETS, { namespace: ns5, name: 'gone' });
      await client.delete(SECRETS, { namespace: ns5, name: 'gone' });
      await client.delete(SECRETS, { namespace: ns5, name: 'live' });
      const outcome = await applyAgeSecret(stale(gone), blind);
      assert.deepEqual(outcome.ok ? outcome.action : outcome.reason, 'AgeSecretGone');
      assert.equal(await secretOf(client, ns5, 'gone'), undefined, 'no Secret made for a gone AgeSecret');
      // Replaced by a new AgeSecret of the same name: the stale one (another uid) restores nothing either.
      await client.create<AgeSecretObject>(AGESECRETS, body('gone'), { namespace: ns5 });
      const replaced = await applyAgeSecret(stale(gone), blind);
      assert.deepEqual(replaced.ok ? replaced.action : replaced.reason, 'AgeSecretGone');
      const restored = await applyAgeSecret(stale(live), blind);
      assert.deepEqual(restored.ok ? restored.action : restored.reason, 'created');
      assert.equal(unb64((await secretOf(client, ns5, 'live'))?.data?.['v']), 'lagging-10');
    } finally {
      await deleteNamespaces(client, [ns5]);
    }
  });

  test('an AgeSecret create costs the operator two writes: the Secret and the status', async () => {
    await stopOperator();
    const writes: string[] = [];
    running = await start({
      apiRequest: (info) => {
        if (info.method !== 'GET') writes.push(`${info.method} ${info.verb}`);
      },
    });
    await putKeySecret(client, ns, 'namespace-secret', kubeKey);
    const name = uniqueName('floor');
    await client.create(
      AGESECRETS,
      ageSecret(ns, name, {
        secretName: name,
        secretKey: 'v',
        secret: await encryptFor([kube], 'floor-value-1'),
        ageSecretRef: 'namespace-secret',
      }),
    );
    await waitReady(client, ns, name, 'True', 'Decrypted');
    // The status is the operator's last write: once Ready shows, every write of this create is counted.
    assert.equal(writes.length, 2, `writes: ${writes.join(', ')}`);
    assert.ok(
      writes.some((w) => w.includes('status')),
      `writes: ${writes.join(', ')}`,
    );
  });

  test('upgrade: the finalizer of 0.1 is removed; with the operator down, deletion needs only garbage collection', async () => {
    await putKeySecret(client, ns, 'namespace-secret', kubeKey);
    const name = uniqueName('upgrade');
    const body = ageSecret(ns, name, {
      secretName: name,
      secretKey: 'v',
      secret: await encryptFor([kube], 'upgrade-value-2'),
      ageSecretRef: 'namespace-secret',
    });
    await client.create(AGESECRETS, { ...body, metadata: { ...body.metadata, finalizers: [RETIRED_FINALIZER] } });
    await waitSecret(client, ns, name, (s) => unb64(s.data?.['v']) === 'upgrade-value-2');
    await eventually('the retired finalizer removed', async () => {
      const obj = await client.get<AgeSecretObject>(AGESECRETS, { namespace: ns, name });
      return obj.metadata.finalizers === undefined || obj.metadata.finalizers.length === 0 ? true : undefined;
    });
    await stopOperator();
    try {
      await client.delete(AGESECRETS, { namespace: ns, name });
      await waitGone(client, AGESECRETS, ns, name);
      await waitGone(client, SECRETS, ns, name);
    } finally {
      running = await start();
    }
  });

  test('a restart with everything settled makes no API writes and decrypts nothing it need not', async () => {
    await stopOperator();
    const list = async (namespace: string) => (await client.list<AgeSecretObject>(AGESECRETS, { namespace })).items;
    const all = [...(await list(ns)), ...(await list(ns2))];
    assert.ok(all.length > 10);
    const seen = new Set<string>();
    const writes: string[] = [];
    running = await start({
      processed: (info) => {
        if (info.resource.includes('agesecrets')) seen.add(`${info.namespace}/${info.name}`);
      },
      apiRequest: (info) => {
        if (info.method !== 'GET') writes.push(`${info.method} ${info.verb}`);
      },
    });
    await eventually('every AgeSecret processed after the restart', async () =>
      all.every((o) => seen.has(`${o.metadata.namespace}/${o.metadata.name}`)) ? true : undefined,
    );
    assert.deepEqual(writes, []);
  });

  test('no plaintext and no key material in the operator logs (debug level included)', () => {
    const lines = [...logs, ...running.logs];
    assert.ok(lines.length > 10, 'the logger was used');
    const plaintexts = [
      'Hello world!',
      'Goodbye world!',
      'drift-original-7',
      'tampered-9',
      'precious',
      'attacker-3',
      'mine-now-4',
      'cold-harbor',
      'patience',
      'from default',
      'bound value',
      'age-cli-binary',
      'armoured-by-age-cli',
      'wrong key plaintext',
      'skip-once-v1',
      'skip-twice-v2',
      'fine-and-dandy',
      'AGE-SECRET-KEY-',
      'SGVsbG8gd29ybGQh',
    ];
    for (const line of lines) {
      for (const p of plaintexts) assert.ok(!line.includes(p), `log line leaks ${JSON.stringify(p)}: ${line.slice(0, 300)}`);
    }
  });
});
