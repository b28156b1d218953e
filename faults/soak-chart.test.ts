// Unit tests of the soak chart: one line per series, the second-half fit dashed where asked, titles escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readingSeries, soakChartSvg, soakPanels } from './soak-chart.js';

const pts = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ atMs: i * 5000, value: f(i) }));

test('soakChartSvg: a polyline per series, a dashed fit per fitted series, escaped text', () => {
  const svg = soakChartSvg(
    [
      {
        title: 'RSS',
        unit: 'MiB',
        series: [
          { label: 'a', points: pts(20, (i) => 80 + i), fit: true },
          { label: 'b', points: pts(20, () => 90), fit: true },
        ],
      },
      { title: 'lag', unit: 'ms', series: [{ label: 'a', points: pts(20, (i) => i % 3) }] },
      { title: 'none', unit: 'x', series: [{ label: 'empty', points: [] }] },
    ],
    'soak <test> & more',
  );
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal(svg.match(/<polyline /g)?.length, 4);
  assert.equal(svg.match(/stroke-dasharray/g)?.length, 2);
  assert.ok(svg.includes('soak &lt;test&gt; &amp; more'));
  assert.ok(!svg.includes('NaN'), 'no NaN coordinates, even for an empty series');
});

test('readingSeries and soakPanels: unreadable samples skipped; fits on RSS and descriptors only', () => {
  const samples = [
    { atMs: 0, operators: { a: { rssMb: 80, fds: 30 }, b: {} } },
    { atMs: 5000, operators: { a: { rssMb: 81, lagP99Ms: 12 }, b: { rssMb: 70 } }, apiPerSec: 7.5 },
  ];
  assert.deepEqual(readingSeries(samples, 'a', 'fds'), [{ atMs: 0, value: 30 }]);
  assert.deepEqual(readingSeries(samples, 'b', 'rssMb'), [{ atMs: 5000, value: 70 }]);
  assert.deepEqual(readingSeries(samples, 'c', 'rssMb'), []);
  const panels = soakPanels(samples, ['a', 'b']);
  assert.deepEqual(
    panels.map((p) => [p.title, p.series.length, p.series.some((s) => s.fit)]),
    [
      ['RSS', 2, true],
      ['open file descriptors', 2, true],
      ['event-loop delay p99', 2, false],
      ['API server requests (no watches)', 1, false],
    ],
  );
  assert.deepEqual(panels[3]!.series[0]!.points, [{ atMs: 5000, value: 7.5 }]);
});
