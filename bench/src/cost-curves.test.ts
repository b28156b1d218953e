// The cost-curve chart: one point per N, goal lines, well-formed SVG.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { costPoints } from './cost-curves-file.js';
import { costCurvesSvg } from './cost-curves.js';
import { repoRoot } from './operator-process.js';
import type { WorkloadResult } from './result.js';

test('three panels of one point per N each, with the goal lines of CPU and memory', () => {
  const svg = costCurvesSvg(
    [
      { n: 1000, perObjectMs: 47.7, cpuMsPerObject: 15.4, peakRssMb: 112 },
      { n: 100, perObjectMs: 42.3, cpuMsPerObject: 16.7, peakRssMb: 103 },
    ],
    'title <&>',
  );
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(svg.match(/<circle /g)?.length, 6);
  assert.match(svg, /goal 2\.00/);
  assert.match(svg, /goal 100/);
  assert.match(svg, /title &lt;&amp;&gt;/);
  assert.equal(svg.match(/<polyline /g)?.length, 3);
});

test('the committed scaling result turns into cost points', () => {
  const result = JSON.parse(readFileSync(join(repoRoot, 'bench/results/scaling.json'), 'utf8')) as WorkloadResult;
  const points = costPoints(result);
  assert.ok(points.length >= 2);
  assert.ok(points.every((p) => p.n > 0 && p.cpuMsPerObject > 0 && p.peakRssMb > 0));
});
