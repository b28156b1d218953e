// The one test command: provisions and starts a local control plane (or uses an existing cluster), runs every suite.
// Usage: node scripts/run-tests.mjs [--unit] [--concurrency N] [files or dirs...]
//   --unit                 only pure tests (*.test.ts that are not *.cluster.test.ts); no cluster
//   CAPSTAN_EXISTING_CLUSTER=1 with KUBECONFIG: run the cluster suites against that cluster instead
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { unit: { type: 'boolean', default: false }, concurrency: { type: 'string' } },
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
    cluster = await startLocalCluster({ log: (line) => console.log(`[localcluster] ${line}`) });
    env.CAPSTAN_TEST_KUBECONFIG = cluster.kubeconfigPath;
    env.CAPSTAN_TEST_LOCALCLUSTER = '1';
    console.log(`[test] local control plane ready in ${Date.now() - started} ms (${cluster.kubeconfigPath})`);
  }
}

const concurrency = values.concurrency ?? String(Math.max(2, availableParallelism()));
console.log(`[test] ${files.length} files (${files.filter((f) => clusterFiles.includes(f)).length} against the cluster), concurrency ${concurrency}`);
const args = ['--conditions=development', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files.map((f) => relative(root, f))];
const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
const forward = (sig) => child.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((res) => child.on('exit', (c, s) => res(c ?? (s ? 1 : 0))));
if (cluster) await cluster.stop();
process.exitCode = code;
