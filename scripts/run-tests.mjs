// The one test command: provisions and starts a local control plane (or uses an existing cluster), runs every suite.
// Usage: node scripts/run-tests.mjs [--unit] [--kubernetes X.Y] [--concurrency N] [files or dirs...]
//   --unit                 only pure tests (*.test.ts that are not *.cluster.test.ts); no cluster
//   --kubernetes X.Y       the local control plane's version (a supported minor; default the newest)
//   CAPSTAN_EXISTING_CLUSTER=1 with KUBECONFIG: run the cluster suites against that cluster instead
// What the suites need is provisioned first, with progress: the control plane (built once per version from Go
// modules), age, and Chromium for the browser test (Debian packages, as root).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { unit: { type: 'boolean', default: false }, concurrency: { type: 'string' }, kubernetes: { type: 'string' } },
});

const roots = positionals.length ? positionals : ['packages', 'operators', 'apps', 'demo', 'examples', 'bench', 'scripts', 'faults'];
const skipDirs = new Set(['node_modules', 'dist', '.git', '.capstan', 'test-artifacts']);
function collect(path, out) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return out;
  if (st.isFile()) {
    // faults/*.faults.test.ts is the heavy fault suite (npm run test:faults); its smoke case is a .cluster.test.ts.
    if (path.endsWith('.test.ts') && !path.endsWith('.faults.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path)) if (!skipDirs.has(name)) collect(join(path, name), out);
  return out;
}
let files = roots.flatMap((r) => collect(resolve(root, r), [])).sort();
const clusterFiles = files.filter((f) => f.endsWith('.cluster.test.ts'));
if (values.unit) files = files.filter((f) => !clusterFiles.includes(f));

const env = { ...process.env };
if (values.kubernetes) env.CAPSTAN_TEST_KUBERNETES = values.kubernetes;
provisionTools();
provisionBrowser(files);
let cluster;
const needCluster = files.some((f) => clusterFiles.includes(f));
if (needCluster && !env.CAPSTAN_TEST_KUBECONFIG) {
  if (env.CAPSTAN_EXISTING_CLUSTER === '1') {
    if (!env.KUBECONFIG) throw new Error('CAPSTAN_EXISTING_CLUSTER=1 needs KUBECONFIG');
    env.CAPSTAN_TEST_KUBECONFIG = env.KUBECONFIG;
    console.log(`[test] using the existing cluster in ${env.KUBECONFIG}`);
  } else {
    // The package ships TypeScript sources (dist/ is only built for images): load them through tsx.
    const { tsImport } = await import('tsx/esm/api');
    const { startLocalCluster } = await tsImport('../packages/localcluster/src/index.ts', import.meta.url);
    const started = Date.now();
    cluster = await startLocalCluster({
      kubernetesVersion: env.CAPSTAN_TEST_KUBERNETES,
      log: (line) => console.log(`[localcluster] ${line}`),
    });
    env.CAPSTAN_TEST_KUBECONFIG = cluster.kubeconfigPath;
    env.CAPSTAN_TEST_LOCALCLUSTER = '1';
    console.log(`[test] local control plane ready in ${Date.now() - started} ms (${cluster.kubeconfigPath})`);
  }
}

const concurrency = values.concurrency ?? String(Math.max(2, availableParallelism()));
console.log(
  `[test] ${files.length} files (${files.filter((f) => clusterFiles.includes(f)).length} against the cluster), concurrency ${concurrency}`,
);
const args = [
  '--conditions=development',
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  ...files.map((f) => relative(root, f)),
];
const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
const forward = (sig) => child.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((res) => child.on('exit', (c, s) => res(c ?? (s ? 1 : 0))));
if (cluster) await cluster.stop();
process.exitCode = code;

/** Chromium for the browser tests, from Debian's packages, unless skipped or pointed elsewhere. */
function provisionBrowser(testFiles) {
  if (!testFiles.some((f) => f.endsWith('.browser.test.ts'))) return;
  if (env.CAPSTAN_SKIP_BROWSER === '1' || env.CAPSTAN_CHROMIUM || existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) {
    console.error('[test] Chromium is missing for the browser test: apt-get install -y chromium (as root), or set CAPSTAN_SKIP_BROWSER=1');
    process.exit(3);
  }
  console.log('[test] installing Chromium for the browser test (apt-get install chromium, once; about a minute)');
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const r = spawnSync('apt-get', args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) {
      console.error(`[test] apt-get ${args.join(' ')} failed (exit ${r.status}); install chromium yourself or set CAPSTAN_SKIP_BROWSER=1`);
      process.exit(3);
    }
  }
}

/** age (the operators' tests encrypt with it) and the build tools: provision.sh installs what is missing. */
function provisionTools() {
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  if (has('age') && has('jq') && has('go')) return;
  const r = spawnSync('bash', [join(root, 'packages/localcluster/scripts/provision.sh'), '--apt-only'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 3);
}
