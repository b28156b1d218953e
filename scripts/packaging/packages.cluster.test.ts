// The packages leave the repository: built, packed, installed from a registry outside the workspace, run on plain node;
// `capstan init` makes a project that installs them and passes its own tests against the cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kubectlPath, useTestCluster } from '@capstan/localcluster';
import { startLocalRegistry, type LocalRegistry } from './local-registry.js';

const root = resolve(import.meta.dirname, '..', '..');
/** The published packages, one version for all. */
export const PUBLISHED = ['capstan', '@capstan/localcluster', '@capstan/agesecret', '@capstan/legacy-handshake', 'create-capstan'];

const run = promisify(execFile);
// Asynchronous: the registry these commands talk to is served by this very process.
const npm = async (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  (
    await run('npm', args, {
      cwd,
      encoding: 'utf8',
      // prefer-online: the packuments of our packages (same version every run) must come from this run's
      // registry, never from npm's cache; tarballs are cached by integrity, so third-party ones stay cached.
      env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_prefer_online: 'true', ...env },
      maxBuffer: 64 << 20,
    })
  ).stdout;
const exec = async (file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  (await run(file, args, { encoding: 'utf8', ...options })).stdout;

describe('packages', { timeout: 600_000 }, () => {
  let work: string;
  let registry: LocalRegistry;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'capstan-packages-'));
    await npm(['run', 'build'], root);
    const packs = join(work, 'packs');
    mkdirSync(packs);
    for (const name of PUBLISHED) await npm(['pack', '-w', name, '--pack-destination', packs], root);
    registry = await startLocalRegistry({ tarballs: readdirSync(packs).map((f) => join(packs, f)) });
  });

  after(async () => {
    await registry?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('each tarball holds dist/ with .d.ts, bins, README, CHANGELOG and LICENSE, and no sources or tests', () => {
    for (const file of readdirSync(join(work, 'packs'))) {
      const entries = execFileSync('tar', ['-tzf', join(work, 'packs', file)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      const built = file.startsWith('create-capstan')
        ? ['package/bin/create-capstan.mjs']
        : ['package/dist/index.js', 'package/dist/index.d.ts'];
      for (const required of ['package/README.md', 'package/CHANGELOG.md', 'package/LICENSE', 'package/package.json', ...built]) {
        assert.ok(entries.includes(required), `${file} holds ${required}`);
      }
      assert.deepEqual(
        entries.filter((e) => e.startsWith('package/src/') || /\.test\.(js|ts|d\.ts)$/.test(e)),
        [],
        `${file}: no sources, no tests`,
      );
    }
  });

  test('a project outside the workspace installs them from a registry and runs an operator on plain node', async () => {
    const project = join(work, 'consumer');
    mkdirSync(project);
    await npm(['init', '-y'], project);
    await npm(['pkg', 'set', 'type=module'], project);
    await npm(['install', '--registry', registry.url, 'capstan@0.2.0', '@capstan/agesecret@0.2.0'], project);
    writeFileSync(
      join(project, 'smoke.js'),
      `
import { createOperator, silentLogger } from 'capstan';
import { MemoryClient, waitUntil } from 'capstan/testing';
import { productionFlagsFrom } from 'capstan/process';
import { ProbeServer } from 'capstan/production';
import { ageSecretCrd } from '@capstan/agesecret';
const client = new MemoryClient();
const op = createOperator({ name: 'smoke', client, logger: silentLogger, events: false, allNamespaces: true });
const seen = [];
op.resource({ version: 'v1', plural: 'configmaps' }).reconcile({ apply: (ctx) => { seen.push(ctx.name); } });
const stop = new AbortController();
const running = op.run({ signal: stop.signal });
await op.ready;
await client.create({ version: 'v1', plural: 'configmaps' }, { metadata: { name: 'hello', namespace: 'ns' } });
await waitUntil(() => seen.includes('hello'), { timeoutMs: 20000 });
stop.abort();
await running;
console.log(JSON.stringify({ seen, flags: typeof productionFlagsFrom, probes: typeof ProbeServer, crd: ageSecretCrd.metadata.name }));
`,
    );
    const out = JSON.parse((await exec(process.execPath, ['smoke.js'], { cwd: project })).trim()) as Record<string, unknown>;
    assert.deepEqual(out, { seen: ['hello'], flags: 'function', probes: 'function', crd: 'agesecrets.pyvo.io' });
    assert.match(await exec(join(project, 'node_modules', '.bin', 'capstan'), ['--help']), /commands: run, cluster, kubectl, crd/);
  });

  test('npm i -g @capstan/agesecret gives age-secret and kubectl age-secret on plain node', async () => {
    const prefix = join(work, 'global');
    await npm(['install', '-g', '--prefix', prefix, '--registry', registry.url, '@capstan/agesecret@0.2.0'], work);
    const bin = join(prefix, 'bin');
    assert.match(await exec(join(bin, 'age-secret'), ['keygen']), /AGE-SECRET-KEY-1/);
    assert.match(await exec(join(bin, 'kubectl-age_secret'), ['--help']), /Usage: age-secret/);
    assert.match(await exec(join(bin, 'agesecret-operator'), ['--help']), /Usage: agesecret-operator/);
    const kubectl = kubectlPath();
    if (!existsSync(kubectl)) return; // no kubectl on this machine: the plugin binary itself is checked above
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    assert.match(await exec(kubectl, ['age-secret', '--help'], { env }), /Usage: age-secret/);
  });

  test('npm create capstan (capstan init) makes a project whose own npm test passes against the cluster and whose manifests apply', async () => {
    const project = join(work, 'my-operator');
    const group = `init-${process.pid}.example.com`;
    await npm(
      ['create', '--yes', '--registry', registry.url, 'capstan@0.2.0', '--', project, '--kind', 'Greeting', '--group', group],
      work,
      // npx keeps what it installed per package spec and reuses it as is: a cache of this run's own.
      { npm_config_cache: join(work, 'npx-cache') },
    );
    await npm(['install', '--registry', registry.url], project);
    await npm(['run', 'typecheck'], project);
    const cluster = await useTestCluster();
    // The project's test runs on this cluster (useTestCluster in the project reads CAPSTAN_TEST_KUBECONFIG), as a
    // test run of its own (without NODE_TEST_CONTEXT, node --test would report to this runner instead of printing).
    const out = (
      await run('npm', ['test'], {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, CAPSTAN_TEST_KUBECONFIG: cluster.kubeconfigPath, NODE_TEST_CONTEXT: undefined },
      })
    ).stdout;
    // execFile threw had it failed; the counts hold in any reporter (TAP on Node 20, spec on Node 24).
    // Its two tests: the operator works as its ServiceAccount, and that account's generated RBAC is exactly enough.
    assert.match(out, /\bpass 2\b/);
    assert.match(out, /\bfail 0\b/);
    await npm(['run', 'manifests'], project);
    // The install applies as a whole (namespace first: a dry run creates nothing the others could land in).
    const kubectl = (args: string[]) => exec(kubectlPath(cluster.kubeconfigPath), [...args, '--kubeconfig', cluster.kubeconfigPath]);
    await kubectl(['create', 'namespace', 'my-operator-system']).catch(() => undefined);
    try {
      const applied = await kubectl(['apply', '--dry-run=server', '-k', join(project, 'deploy')]);
      assert.match(
        applied,
        /customresourcedefinition\.apiextensions\.k8s\.io\/greetings\.init-\d+\.example\.com (created|configured) \(server dry run\)/,
      );
      for (const kind of ['serviceaccount', 'clusterrole.rbac.authorization.k8s.io', 'deployment.apps'])
        assert.match(applied, new RegExp(`${kind.replace(/\./g, '\\.')}/my-operator (created|configured) \\(server dry run\\)`));
    } finally {
      await kubectl(['delete', 'namespace', 'my-operator-system', '--wait=false']).catch(() => undefined);
    }
    await npm(['run', 'build'], project);
    assert.ok(existsSync(join(project, 'dist', 'main.js')));
  });

  test('npm publish --dry-run passes for each package', async () => {
    for (const name of PUBLISHED) {
      const out = await npm(['publish', '--dry-run', '-w', name, '--ignore-scripts'], root);
      assert.doesNotMatch(out, /npm error/i, name);
    }
  });
});
