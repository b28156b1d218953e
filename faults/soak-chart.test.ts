// Unit tests of the soak chart: one line per series, the second-half fit dashed where asked, titles escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soakChartSvg } from './soak-chart.js';

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
