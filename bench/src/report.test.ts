// The generated section of BENCHMARKS.md: a row per goal, prose outside the markers kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { END_MARKER, renderResults, START_MARKER, updateBenchmarksMd } from './report.js';
import type { WorkloadResult } from './result.js';
import { summarize } from './stats.js';

const machine = {
  date: '2026-11-22T23:00:00.000Z',
  cores: 2,
  cpuModel: 'test',
  memoryGb: 8,
  loadAverage1m: 1.5,
  node: 'v20.20.2',
  kubernetes: 'v1.37.2',
};
const restart: WorkloadResult = {
  workload: 'restart',
  machine,
  parameters: { n: 10 },
  converged: true,
  throughputPerSec: 5,
  latency: summarize([2000]),
  peakRssMb: 250,
  goals: [
    { name: 'API writes on restart', target: '0', value: 0, met: true },
    { name: 'peak RSS (MiB)', target: '< 200', value: 250, met: false },
  ],
  details: { caughtUpMs: 2000, writeCount: 0, writes: {} },
  notes: [],
};
const steady: WorkloadResult = {
  ...restart,
  workload: 'steady-state',
  throughputPerSec: 0,
  latency: summarize([]),
  goals: [],
  details: { rssMb: 240 },
};

test('one row per goal, unmet goals in bold, "-" where a workload has no latency', () => {
  const text = renderResults([steady, restart]);
  const rows = text.split('\n').filter((l) => l.startsWith('| '));
  assert.equal(rows.length, 2 + 2 + 1);
  assert.match(rows[2]!, /^\| restart \| n=10 \| yes \| 5 \| 2000 \| 2000 \| 2000 \| 250 \| API writes on restart 0 \| 0 \| yes \|$/);
  assert.match(rows[3]!, /peak RSS \(MiB\) < 200 \| 250 \| \*\*no\*\* \|$/);
  assert.match(rows[4]!, /^\| steady-state \| n=10 \| yes \| - \| - \| - \| - \| 250 \|/);
  assert.match(text, /load average 1\.5 at start, Node v20\.20\.2, Kubernetes v1\.37\.2/);
});

test('updating BENCHMARKS.md replaces only the generated section', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'bench-report-')), 'BENCHMARKS.md');
  writeFileSync(path, `# Benchmarks\n\nintro\n\n${START_MARKER}\nold table\n${END_MARKER}\n\n## Analysis\n\nkept\n`);
  updateBenchmarksMd(path, [restart]);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.startsWith('# Benchmarks\n\nintro\n\n'));
  assert.ok(text.endsWith('## Analysis\n\nkept\n'));
  assert.ok(!text.includes('old table'));
  assert.match(text, /\| restart \|/);
});
