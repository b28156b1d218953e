// bench/results/<workload>.json: writing one result, reading them all back for the report.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkloadResult } from './result.js';

export function writeResult(dir: string, result: WorkloadResult): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${result.workload}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export function readResults(dir: string): WorkloadResult[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  // Only workload results: the folder also holds other figures (images.json from npm run bench:images).
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown).filter(isWorkloadResult);
}

function isWorkloadResult(value: unknown): value is WorkloadResult {
  const r = value as Partial<WorkloadResult> | null;
  return !!r && typeof r.workload === 'string' && Array.isArray(r.goals) && typeof r.latency === 'object';
}
