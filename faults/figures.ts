// Figures of a fault run (objects, faults injected, recoveries, time to converge), for RELIABILITY.md.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo.js';

export interface Figure {
  scenario: string;
  objects: number;
  faults: string;
  recoveries: string;
  convergeMs: number;
  [extra: string]: string | number;
}

/** One JSON line per scenario in test-artifacts/faults/figures.jsonl (git-ignored), and on the test's diagnostics. */
export function recordFigure(figure: Figure, diagnostic?: (line: string) => void): void {
  const dir = join(REPO_ROOT, 'test-artifacts', 'faults');
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'figures.jsonl'), `${JSON.stringify({ at: new Date().toISOString(), ...figure })}\n`);
  diagnostic?.(
    `${figure.scenario}: ${figure.objects} objects, faults: ${figure.faults}, recoveries: ${figure.recoveries}, converged in ${(figure.convergeMs / 1000).toFixed(1)} s`,
  );
}
