// The results folder read back for the report: workload results only, whatever else lies there.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readResults, writeResult } from './results-file.js';
import type { WorkloadResult } from './result.js';

test('readResults returns the workload results and skips other JSON in the folder (images.json)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  const result = {
    workload: 'decrypt',
    machine: { date: '2026-12-04T00:00:00Z', cores: 2, cpuModel: 'x', memoryGb: 1, loadAverage1m: 0, node: 'v20', kubernetes: 'v1.37.2' },
    parameters: {},
    converged: true,
    throughputPerSec: 1,
    latency: { count: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1, maxMs: 1, meanMs: 1 },
    peakRssMb: 0,
    goals: [],
    details: {},
    notes: [],
  } as unknown as WorkloadResult;
  writeResult(dir, result);
  writeFileSync(join(dir, 'images.json'), JSON.stringify({ images: [{ name: 'app', sizeMb: 50 }] }));
  assert.deepEqual(
    readResults(dir).map((r) => r.workload),
    ['decrypt'],
  );
  assert.deepEqual(readResults(join(dir, 'missing')), []);
});
