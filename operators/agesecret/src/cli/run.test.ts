// The CLI run as functions: the seed's encrypt usage, decrypt, verify, updatekeys, edit, from-secret, errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from './run.js';
import type { CliIo } from './io.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
const run = async (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Result> => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    readStdin: async () => options.stdin ?? '',
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: { PATH: process.env['PATH'], ...options.env },
    cwd: dir,
  };
  return { code: await runCli(args, io), stdout, stderr };
};

const SEED = `apiVersion: pyvo.io/v1
kind: AgeSecret
metadata:
  name: my-secret # the seed's example
spec:
  secretName: macrodata-numbers
  secretKey: numbers
  secret: "Hello world!"
`;
let local: string;
let kube: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'age-secret-cli-'));
  for (const name of ['local', 'kubernetes']) {
    const r = await run(['keygen', '-o', `${name}.txt`]);
    assert.equal(r.code, 0, r.stderr);
  }
  local = (await run(['keygen', '-y', 'local.txt'])).stdout.trim();
  kube = (await run(['keygen', '-y', 'kubernetes.txt'])).stdout.trim();
  writeFileSync(join(dir, 'age.secret.yaml'), SEED);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('age-secret CLI (functions)', () => {
  test('keygen writes a 0600 key file and refuses to overwrite it', async () => {
    assert.equal(statSync(join(dir, 'local.txt')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'local.txt'), 'utf8'), /^# created: .*\n# public key: age1\w+\nAGE-SECRET-KEY-1\w+\n$/);
    const again = await run(['keygen', '-o', 'local.txt']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });

  test("the seed's encrypt usage: both keys decrypt, comments kept, recipients recorded", async () => {
    const r = await run(['encrypt', '--file', 'age.secret.yaml', '-r', local, '-r', kube]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('Hello world!'));
    assert.match(r.stdout, /name: my-secret # the seed's example/);
    const doc = parse(r.stdout);
    assert.match(doc.spec.secret, /^ENC\[/);
    assert.equal(doc.metadata.annotations['age-secret.pyvo.io/recipients'], `${local},${kube}`);
    writeFileSync(join(dir, 'enc.yaml'), r.stdout);
    for (const key of ['local.txt', 'kubernetes.txt']) {
      const d = await run(['decrypt', '-i', key, '--file', 'enc.yaml']);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(parse(d.stdout).spec.secret, 'Hello world!');
    }
    // The seed's own operator reads ENC[...] as base64 of an age file: age itself must open it.
    const file = Buffer.from(doc.spec.secret.slice(4, -1), 'base64');
    assert.equal(execFileSync('age', ['-d', '-i', join(dir, 'local.txt')], { input: file, encoding: 'utf8' }), 'Hello world!');
  });

  test('encrypt leaves encrypted values alone and handles multi-document stdin with data maps', async () => {
    const first = await run(['encrypt', '-f', '-', '-r', local], {
      stdin: `${SEED}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\ndata: {a: b}\n---\napiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata: {name: two}\nspec:\n  secretName: two\n  data:\n    user: admin\n    pass: |\n      multi\n      line\n`,
    });
    assert.equal(first.code, 0, first.stderr);
    const again = await run(['encrypt', '-f', '-', '-r', local], { stdin: first.stdout });
    assert.equal(again.stdout, first.stdout);
    assert.match(again.stderr, /3 value\(s\) already encrypted/);
    const docs = parseAllDocuments(first.stdout).map((d) => d.toJS());
    assert.equal(docs.length, 3);
    assert.deepEqual(docs[1], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: { a: 'b' } });
    writeFileSync(join(dir, 'multi.yaml'), first.stdout);
    const dec = parseAllDocuments((await run(['decrypt', '-i', 'local.txt', 'multi.yaml'])).stdout).map((d) => d.toJS());
    assert.deepEqual(dec[2].spec.data, { user: 'admin', pass: 'multi\nline\n' });
  });

  test('verify: plaintext fails, encrypted passes, -i decrypts, wrong key fails', async () => {
    const plain = await run(['verify', '--file', 'age.secret.yaml']);
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /NOT ENCRYPTED/);
    assert.ok(!plain.stdout.includes('Hello world!'));
    assert.equal((await run(['verify', '--file', 'enc.yaml'])).code, 0);
    const withKey = await run(['verify', '--file', 'enc.yaml', '-i', 'kubernetes.txt']);
    assert.equal(withKey.code, 0);
    assert.match(withKey.stdout, /decrypts/);
    await run(['keygen', '-o', 'other.txt']);
    const wrong = await run(['verify', '--file', 'enc.yaml', '-i', 'other.txt']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /NoMatchingKey/);
  });

  test('--bind: bound to namespace/name; moving it elsewhere fails verify', async () => {
    const r = await run(['encrypt', '--file', 'age.secret.yaml', '-r', kube, '--bind', '-n', 'development', '--offline']);
    assert.equal(r.code, 0, r.stderr);
    writeFileSync(join(dir, 'bound.yaml'), r.stdout);
    const ok = await run(['verify', '-f', 'bound.yaml', '-i', 'kubernetes.txt', '-n', 'development']);
    assert.match(ok.stdout, /bound to development\/my-secret/);
    writeFileSync(join(dir, 'moved.yaml'), r.stdout.replace('name: my-secret', 'name: stolen'));
    const moved = await run(['verify', '-f', 'moved.yaml', '-i', 'kubernetes.txt', '-n', 'development']);
    assert.equal(moved.code, 1);
    assert.match(moved.stdout, /BindingMismatch/);
    const noNs = await run(['encrypt', '--file', 'age.secret.yaml', '-r', kube, '--bind']);
    assert.equal(noNs.code, 1);
    assert.match(noNs.stderr, /needs a namespace/);
  });

  test('updatekeys re-encrypts for a new set in place', async () => {
    writeFileSync(join(dir, 'rotate.yaml'), readFileSync(join(dir, 'enc.yaml')));
    const r = await run(['updatekeys', '-i', 'local.txt', '-r', kube, '-w', '--file', 'rotate.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await run(['verify', '-f', 'rotate.yaml', '-i', 'local.txt'])).code, 1);
    assert.equal((await run(['verify', '-f', 'rotate.yaml', '-i', 'kubernetes.txt'])).code, 0);
    assert.equal(parse(readFileSync(join(dir, 'rotate.yaml'), 'utf8')).metadata.annotations['age-secret.pyvo.io/recipients'], kube);
  });

  test('edit re-encrypts changed values only, for the recorded recipients', async () => {
    const manifest = (
      await run(['encrypt', '-f', '-', '-r', local, '-r', kube], {
        stdin: `apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata: {name: e}\nspec:\n  secretName: e\n  data:\n    keep: same\n    change: before\n`,
      })
    ).stdout;
    writeFileSync(join(dir, 'edit.yaml'), manifest);
    const r = await run(['edit', '-i', 'local.txt', '--file', 'edit.yaml'], { env: { EDITOR: 'sed -i -e s/before/after/' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 value\(s\) encrypted, 1 unchanged/);
    const edited = parse(readFileSync(join(dir, 'edit.yaml'), 'utf8'));
    assert.equal(edited.spec.data.keep, parse(manifest).spec.data.keep);
    assert.notEqual(edited.spec.data.change, parse(manifest).spec.data.change);
    const dec = parse((await run(['decrypt', '-i', 'kubernetes.txt', '-f', 'edit.yaml'])).stdout);
    assert.deepEqual(dec.spec.data, { keep: 'same', change: 'after' });
    const beforeFailure = readFileSync(join(dir, 'edit.yaml'), 'utf8');
    const broken = await run(['edit', '-i', 'local.txt', '--file', 'edit.yaml'], { env: { EDITOR: 'false' } });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /editor exited with code 1/);
    assert.equal(readFileSync(join(dir, 'edit.yaml'), 'utf8'), beforeFailure);
    const invalid = await run(['edit', '-i', 'local.txt', '--file', 'edit.yaml'], { env: { EDITOR: 'echo "a: [" >' } });
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /invalid YAML/);
    assert.equal(readFileSync(join(dir, 'edit.yaml'), 'utf8'), beforeFailure);
  });

  test('from-secret: one key -> secretKey/secret; several -> data; type, labels, annotations carried', async () => {
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: numbers\n  namespace: development\n  labels: {app: numbers}\n  annotations:\n    team: mdr\n    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"x":"plain"}}'\ntype: kubernetes.io/basic-auth\ndata:\n  username: ${Buffer.from('mark').toString('base64')}\nstringData:\n  password: cold-harbor\n`;
    const r = await run(['from-secret', '-f', '-', '-r', kube, '--age-secret-ref', 'namespace-secret'], { stdin: secret });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('cold-harbor') && !r.stdout.includes('plain'));
    const asec = parse(r.stdout);
    assert.equal(asec.kind, 'AgeSecret');
    assert.deepEqual(Object.keys(asec.spec.data), ['username', 'password']);
    assert.equal(asec.spec.type, 'kubernetes.io/basic-auth');
    assert.deepEqual(asec.spec.labels, { app: 'numbers' });
    assert.deepEqual(asec.spec.annotations, { team: 'mdr' });
    assert.equal(asec.spec.ageSecretRef, 'namespace-secret');
    writeFileSync(join(dir, 'from.yaml'), r.stdout);
    assert.deepEqual(parse((await run(['decrypt', '-i', 'kubernetes.txt', '-f', 'from.yaml'])).stdout).spec.data, {
      username: 'mark',
      password: 'cold-harbor',
    });
    const one = parse(
      (
        await run(['from-secret', '-f', '-', '-r', kube], {
          stdin: 'kind: Secret\napiVersion: v1\nmetadata: {name: s}\nstringData: {numbers: "42"}\n',
        })
      ).stdout,
    );
    assert.equal(one.spec.secretKey, 'numbers');
    assert.match(one.spec.secret, /^ENC\[/);
  });

  test('several files rewritten in place; keygen without -o prints the key file', async () => {
    writeFileSync(join(dir, 'one.yaml'), SEED);
    writeFileSync(join(dir, 'two.yaml'), SEED.replace('my-secret', 'second'));
    assert.equal((await run(['encrypt', '-r', kube, 'one.yaml', 'two.yaml'])).code, 2, 'several files need -w');
    const r = await run(['encrypt', '-w', '-r', kube, 'one.yaml', 'two.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    for (const f of ['one.yaml', 'two.yaml']) assert.match(parse(readFileSync(join(dir, f), 'utf8')).spec.secret, /^ENC\[/);
    assert.equal((await run(['verify', '-i', 'kubernetes.txt', 'one.yaml', 'two.yaml'])).code, 0);
    const key = await run(['keygen']);
    assert.match(key.stdout, /^# created: .*\n# public key: age1\w+\nAGE-SECRET-KEY-1\w+\n$/);
  });

  test('from-secret --bind binds to the Secret namespace/name; stdin and -n', async () => {
    const r = await run(['from-secret', '-f', '-', '-r', kube, '--bind', '-n', 'development', '--offline'], {
      stdin: 'apiVersion: v1\nkind: Secret\nmetadata: {name: api}\nstringData: {token: t0k3n}\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parse(r.stdout).metadata.namespace, 'development');
    writeFileSync(join(dir, 'bound-from.yaml'), r.stdout);
    assert.match((await run(['verify', '-i', 'kubernetes.txt', '-f', 'bound-from.yaml'])).stdout, /bound to development\/api/);
  });

  test('edit and updatekeys keep bindings (re-derived from the manifest)', async () => {
    const bound = (
      await run(['encrypt', '-f', '-', '-r', kube, '--bind'], {
        stdin: SEED.replace('  name: my-secret', '  name: my-secret\n  namespace: development'),
      })
    ).stdout;
    writeFileSync(join(dir, 'bound-edit.yaml'), bound);
    const edited = await run(['edit', '-i', 'kubernetes.txt', '-f', 'bound-edit.yaml'], { env: { EDITOR: 'sed -i -e s/Hello/Howdy/' } });
    assert.equal(edited.code, 0, edited.stderr);
    const check = await run(['verify', '-i', 'kubernetes.txt', '-f', 'bound-edit.yaml']);
    assert.match(check.stdout, /bound to development\/my-secret/);
    assert.equal(parse((await run(['decrypt', '-i', 'kubernetes.txt', '-f', 'bound-edit.yaml'])).stdout).spec.secret, 'Howdy world!');
    const rotated = await run(['updatekeys', '-i', 'kubernetes.txt', '-r', local, '-f', 'bound-edit.yaml']);
    writeFileSync(join(dir, 'bound-rotated.yaml'), rotated.stdout);
    assert.match((await run(['verify', '-i', 'local.txt', '-f', 'bound-rotated.yaml'])).stdout, /bound to development\/my-secret/);
  });

  test('usage errors exit 2, input errors exit 1, with precise messages', async () => {
    assert.equal((await run(['nope'])).code, 2);
    assert.equal((await run(['encrypt', '--file', 'age.secret.yaml'])).code, 2);
    assert.equal((await run(['encrypt', '--bogus'])).code, 2);
    assert.equal((await run(['decrypt', '--file', 'enc.yaml'])).code, 2);
    const missing = await run(['encrypt', '--file', 'nope.yaml', '-r', local]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read nope.yaml: no such file/);
    const badRecipient = await run(['encrypt', '--file', 'age.secret.yaml', '-r', 'age1nope']);
    assert.equal(badRecipient.code, 1);
    const badYaml = await run(['encrypt', '-f', '-', '-r', local], { stdin: 'a: [\n  secret: "hunter2"\n' });
    assert.equal(badYaml.code, 1);
    assert.ok(!badYaml.stderr.includes('hunter2'), badYaml.stderr);
    const help = await run(['encrypt', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
  });
});
