// End-to-end: `npm run demo -- --once` on its own local cluster passes every check and leaves nothing behind;
// the interactive run stops cleanly on Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CHECKS } from './checks.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
// The demo starts its own cluster (and builds the binaries if this machine never did): be generous.
const TIMEOUT_MS = 25 * 60_000;
// An existing cluster (CAPSTAN_EXISTING_CLUSTER=1) means this machine may have no local control-plane binaries.
const skip =
  process.env['CAPSTAN_EXISTING_CLUSTER'] === '1'
    ? 'the demo starts its own local cluster; skipped with CAPSTAN_EXISTING_CLUSTER=1'
    : false;

interface Run {
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
  /** Resolves when stdout has printed `text`. */
  printed: (text: string) => Promise<void>;
}

function startDemo(args: string[]): Run {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', main, '--no-color', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let text = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const w of waiters.filter((w) => text.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => text,
    exited,
    kill: (signal) => child.kill(signal),
    printed: (wanted) =>
      new Promise<void>((resolve, reject) => {
        if (text.includes(wanted)) return resolve();
        waiters.push({ text: wanted, resolve });
        void exited.then(() => reject(new Error(`the demo exited before printing "${wanted}":\n${text}`)));
      }),
  };
}

/** The cluster's temp dir the run announced (the demo's own files live inside it). */
function dirsOf(output: string): string[] {
  const cluster = /kubeconfig (\/\S+)\/kubeconfig\.yaml/.exec(output)?.[1];
  assert.ok(cluster, `the demo names its cluster dir:\n${output}`);
  assert.ok(output.includes(`${cluster}/demo-`), 'the demo keeps its files inside the cluster dir');
  return [cluster];
}

/** Processes whose command line or environment mention one of the dirs (operators, pods, control plane). */
function processesUsing(dirs: string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const text = `${readFileSync(`/proc/${pid}/cmdline`, 'utf8')}\0${readFileSync(`/proc/${pid}/environ`, 'utf8')}`;
      if (dirs.some((d) => text.includes(d)))
        found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 200)}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function assertCleanedUp(output: string): void {
  const dirs = dirsOf(output);
  for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} was removed`);
  assert.deepEqual(processesUsing(dirs), [], 'no process of the demo is left running');
}

test('npm run demo -- --once passes every check and leaves nothing behind', { skip, timeout: TIMEOUT_MS }, async () => {
  const run = startDemo(['--once']);
  const code = await run.exited;
  const output = run.output();
  assert.equal(code, 0, output);
  for (const [, title] of CHECKS) assert.ok(output.includes(`PASS  ${title}`), `PASS line for "${title}":\n${output}`);
  assert.ok(output.includes(`${CHECKS.length}/${CHECKS.length} checks passed`));
  assert.match(output, /http:\/\/127\.\d+\.\d+\.\d+:5000\//, 'the numbers app URL on its pod IP is shown');
  assertCleanedUp(output);
});

test('the interactive demo runs until Ctrl-C, then tears everything down', { skip, timeout: TIMEOUT_MS }, async () => {
  const run = startDemo([]);
  await run.printed('Press Ctrl-C to stop and clean up.');
  assert.ok(run.output().includes(`${CHECKS.length}/${CHECKS.length} checks passed`), run.output());
  run.kill('SIGINT');
  const code = await run.exited;
  assert.equal(code, 0, run.output());
  assert.ok(run.output().includes('Done: nothing left running.'));
  assertCleanedUp(run.output());
});

test('Ctrl-C in the middle of a step stops the demo (exit 130) and still cleans up', { skip, timeout: TIMEOUT_MS }, async () => {
  const run = startDemo([]);
  await run.printed('[4/8]');
  // Step 4 is the first to name the demo's own dir (with the operators as pods, nothing before it does).
  await run.printed('/demo-');
  run.kill('SIGINT');
  const code = await run.exited;
  assert.equal(code, 130, run.output());
  assert.ok(run.output().includes('Done: nothing left running.'), run.output());
  assertCleanedUp(run.output());
});
