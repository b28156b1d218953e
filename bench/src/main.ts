// `npm run bench [-- --workload NAME --n N ...]`: runs workloads against fresh local control planes.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './operator-process.js';
import { defaultBenchmarksMd, defaultResultsDir, runBench, WORKLOADS, type WorkloadName } from './run.js';

const USAGE = `Usage: npm run bench -- [options]

  --workload NAME   one of ${WORKLOADS.join(', ')} (repeatable; default: all)
                    aliases: burst, handshake, rate (handshake-rate: 20 pods/s), steady
  --n N[,N...]      objects (pods for handshake, seconds for decrypt, a list for scaling)
  --concurrency C   creates in flight (default 16)
  --operator-concurrency C  the operators' --concurrency (default: theirs, 16)
  --steady-ms MS    idle window of steady-state (default 60000)
  --from-source     run the operators' TypeScript through tsx instead of building them
                    (default: npm run build first, then run dist/ as the images do)
  --cpu-prof DIR    write a V8 CPU profile of every operator process into DIR
                    (open in Chrome DevTools or speedscope)
  --results DIR     where <workload>.json go (default bench/results)
  --no-report       do not update BENCHMARKS.md

Each workload starts its own local control plane; operators run as separate processes.`;

const aliases: Record<string, WorkloadName> = {
  burst: 'agesecret-burst',
  handshake: 'handshake-burst',
  rate: 'handshake-rate',
  steady: 'steady-state',
};

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      workload: { type: 'string', multiple: true },
      n: { type: 'string' },
      concurrency: { type: 'string' },
      'operator-concurrency': { type: 'string' },
      'steady-ms': { type: 'string' },
      results: { type: 'string' },
      'no-report': { type: 'boolean' },
      'from-source': { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const workloads = (values.workload ?? [...WORKLOADS]).map((w) => {
  const name = aliases[w] ?? w;
  if (!(WORKLOADS as readonly string[]).includes(name)) fail(`unknown workload ${JSON.stringify(w)}`);
  return name as WorkloadName;
});
const positive = (raw: string, what: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${what} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
};
const n = values.n?.split(',').map((s) => positive(s.trim(), '--n'));
const started = Date.now();
const log = (line: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
const compiled = !values['from-source'];
if (compiled) {
  // What the images run: the compiled operators, without a TypeScript loader in the measured process.
  log('npm run build (the operators run from dist/, as in their images)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) fail(`npm run build failed (exit ${build.status ?? build.signal})`);
}
const { results, failures } = await runBench({
  workloads,
  ...(n ? { n } : {}),
  concurrency: values.concurrency ? positive(values.concurrency, '--concurrency') : 16,
  ...(values['operator-concurrency'] ? { operatorConcurrency: positive(values['operator-concurrency'], '--operator-concurrency') } : {}),
  compiled,
  ...(values['cpu-prof'] ? { cpuProfDir: resolve(values['cpu-prof']) } : {}),
  steadyMs: values['steady-ms'] ? positive(values['steady-ms'], '--steady-ms') : 60_000,
  resultsDir: values.results ?? defaultResultsDir,
  ...(values['no-report'] ? {} : { benchmarksMd: defaultBenchmarksMd }),
  log,
});
const failed = [...failures, ...results.filter((r) => !r.converged).map((r) => r.workload)];
if (failed.length) log(`did not converge: ${failed.join(', ')}`);
process.exitCode = failed.length ? 1 : 0;
