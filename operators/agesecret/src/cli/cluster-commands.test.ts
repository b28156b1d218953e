// The cluster-facing commands without a cluster: argument checks, kubeconfig resolution, and failing closed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigSource } from './cluster-access.js';
import type { CliIo } from './io.js';
import { runCaptured } from './memory-io.js';

let dir: string;
// HOME points into the temp dir: no test may reach a developer's real ~/.kube/config.
const run = (args: string[], env: Record<string, string> = {}) =>
  runCaptured(args, { cwd: dir, env: { PATH: process.env['PATH'], HOME: dir, ...env } });

// Port 1 on loopback: nothing listens there (an unprivileged test cannot bind it), so connections are refused.
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: here, context: {cluster: c, user: u}}]
current-context: here
`;
const MANIFEST = 'apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata: {name: s}\nspec: {secretName: s, secretKey: k, secret: plain-value}\n';
let mine: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'age-secret-cluster-cli-'));
  writeFileSync(join(dir, 'kubeconfig'), KUBECONFIG);
  writeFileSync(join(dir, 'other-kubeconfig'), KUBECONFIG);
  writeFileSync(join(dir, 'plain.yaml'), MANIFEST);
  await run(['keygen', '-o', 'mine.txt']);
  await run(['keygen', '-o', 'other.txt']);
  mine = (await run(['keygen', '-y', 'mine.txt'])).stdout.trim();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cluster-facing commands (no cluster)', () => {
  test('usage errors (exit 2) come before any cluster access', async () => {
    const cases: [string[], RegExp][] = [
      [['recipients'], /recipients: which namespace\? pass -n\/--namespace NS/],
      [['status', '--kubeconfig', 'kubeconfig'], /status: which namespace\?/],
      [['recipients', '-n', 'dev', '-r', 'age1x'], /Unknown option '-r'/],
      [['encrypt', '-f', 'plain.yaml'], /no recipients: pass -r age1\.\.\., -R recipients-file, or --namespace NS/],
      [['encrypt', '-f', 'plain.yaml', '-n', 'dev', '--offline'], /no recipients/],
      [
        ['encrypt', '-f', 'plain.yaml', '-n', 'dev', '--offline', '--context', 'x', '-r', 'age1x'],
        /--offline and --kubeconfig\/--context are exclusive/,
      ],
      [['updatekeys', '-f', 'plain.yaml', '-n', 'dev', '--kubeconfig', 'kubeconfig'], /an identity file is required/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  test('kubeconfig: --kubeconfig (relative to the working directory), KUBECONFIG, ~/.kube/config; --context picks one', () => {
    const io = (env: Record<string, string>): CliIo => ({
      readStdin: async () => '',
      stdout() {},
      stderr() {},
      env: { HOME: '/home/h', ...env },
      cwd: dir,
    });
    assert.deepEqual(kubeconfigSource(io({}), { kubeconfig: 'kubeconfig' }), { path: join(dir, 'kubeconfig') });
    assert.deepEqual(kubeconfigSource(io({ KUBECONFIG: join(dir, 'kubeconfig') }), {}), { path: join(dir, 'kubeconfig') });
    assert.deepEqual(kubeconfigSource(io({}), { context: 'staging' }), { path: '/home/h/.kube/config', context: 'staging' });
    const several = io({ KUBECONFIG: `${join(dir, 'kubeconfig')}:${join(dir, 'other-kubeconfig')}` });
    assert.equal(kubeconfigSource(several, {}), 'default');
    assert.throws(
      () => kubeconfigSource(several, { context: 'here' }),
      /--context needs one kubeconfig file, but KUBECONFIG lists several/,
    );
  });

  test('an unusable kubeconfig exits 8, an unreachable cluster 7, and nothing is encrypted or written', async () => {
    const missing = await run(['recipients', '-n', 'dev', '--kubeconfig', 'nope.yaml']);
    assert.equal(missing.code, 8, missing.stderr);
    assert.match(missing.stderr, /cannot use the kubeconfig: cannot load the kubeconfig from .*nope.yaml: ENOENT/);
    const context = await run(['recipients', '-n', 'dev', '--kubeconfig', 'kubeconfig', '--context', 'nope']);
    assert.equal(context.code, 8, context.stderr);
    assert.match(context.stderr, /nope/);

    const down = await run(['recipients', '-n', 'dev'], { KUBECONFIG: join(dir, 'kubeconfig') });
    assert.equal(down.code, 7, down.stderr);
    assert.match(down.stderr, /^age-secret recipients: cannot reach the API server at https:\/\/127.0.0.1:1: /);
    assert.equal(down.stdout, '');

    const encrypt = await run(['encrypt', '-n', 'dev', '-r', mine, '-f', 'plain.yaml', '--kubeconfig', 'kubeconfig']);
    assert.equal(encrypt.code, 7, 'never encrypts for fewer recipients than asked for');
    assert.equal(encrypt.stdout, '');
    const status = await run(['status', '-n', 'dev', '--kubeconfig', 'kubeconfig']);
    assert.equal(status.code, 7);
  });

  test('updatekeys writes nothing when any value of any file does not decrypt with the identities given', async () => {
    const encryptFor = async (key: string, file: string) => {
      const r = await run(['encrypt', '-r', (await run(['keygen', '-y', key])).stdout.trim(), '-f', 'plain.yaml']);
      writeFileSync(join(dir, file), r.stdout);
    };
    await encryptFor('mine.txt', 'a.enc.yaml');
    await encryptFor('other.txt', 'b.enc.yaml');
    const before = readFileSync(join(dir, 'a.enc.yaml'), 'utf8');
    const r = await run(['updatekeys', '-i', 'mine.txt', '-r', mine, '-w', 'a.enc.yaml', 'b.enc.yaml']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /NoMatchingKey|none of the identities/);
    assert.equal(readFileSync(join(dir, 'a.enc.yaml'), 'utf8'), before, 'the first file is untouched too');
    const unreachable = await run(['updatekeys', '-i', 'mine.txt', '-n', 'dev', '-w', 'a.enc.yaml', '--kubeconfig', 'kubeconfig']);
    assert.equal(unreachable.code, 7);
    assert.equal(readFileSync(join(dir, 'a.enc.yaml'), 'utf8'), before);
  });
});
