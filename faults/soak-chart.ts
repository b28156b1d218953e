// The soak's charts as an SVG: RSS, open descriptors, event-loop lag (p99) per operator and the API request rate
// against time, with the least-squares line fitted to the second half where the trend bound applies.
import { esc, fmt } from '../bench/src/cost-curves.js';
import type { OperatorReading, SoakSample } from './soak-sampler.js';
import { secondHalf, slopePerMinute, type Point } from './soak-trend.js';

/** One line of a panel. */
export interface Series {
  label: string;
  points: Point[];
  /** Draw the second half's least-squares line too. */
  fit?: boolean;
}

export interface ChartPanel {
  title: string;
  unit: string;
  series: Series[];
}

const WIDTH = 420;
const HEIGHT = 210;
const PAD = { left: 46, right: 12, top: 26, bottom: 34 };
const COLOURS = ['#36c', '#d62', '#2a7', '#888'];

function panelSvg(p: ChartPanel, x0: number, y0: number, endMs: number): string {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const values = p.series.flatMap((s) => s.points.map((pt) => pt.value));
  // Headroom above the data for the legend.
  const top = (values.length ? Math.max(...values) : 1) * 1.3 || 1;
  const x = (ms: number) => x0 + PAD.left + (endMs > 0 ? (ms / endMs) * w : 0);
  const y = (v: number) => y0 + PAD.top + h - (Math.max(0, v) / top) * h;
  const minutes = endMs / 60_000;
  const step = minutes > 20 ? 5 : minutes > 6 ? 2 : minutes > 2 ? 0.5 : 0.25;
  const ticks = Array.from({ length: Math.floor(minutes / step) + 1 }, (_, i) => i * step);
  const parts = [
    `<text x="${x0 + WIDTH / 2}" y="${y0 + 16}" text-anchor="middle" font-weight="bold">${esc(p.title)} (${esc(p.unit)})</text>`,
    `<line x1="${x0 + PAD.left}" y1="${y0 + PAD.top + h}" x2="${x0 + PAD.left + w}" y2="${y0 + PAD.top + h}" stroke="#555"/>`,
    `<line x1="${x0 + PAD.left}" y1="${y0 + PAD.top}" x2="${x0 + PAD.left}" y2="${y0 + PAD.top + h}" stroke="#555"/>`,
    `<text x="${x0 + PAD.left - 4}" y="${y0 + PAD.top + 4}" text-anchor="end">${fmt(top)}</text>`,
    `<text x="${x0 + PAD.left - 4}" y="${y(top / 2) + 4}" text-anchor="end">${fmt(top / 2)}</text>`,
    `<text x="${x0 + PAD.left - 4}" y="${y0 + PAD.top + h}" text-anchor="end">0</text>`,
    ...ticks.map((m) => `<text x="${x(m * 60_000).toFixed(1)}" y="${y0 + PAD.top + h + 14}" text-anchor="middle">${m}</text>`),
    `<text x="${x0 + PAD.left + w / 2}" y="${y0 + HEIGHT - 4}" text-anchor="middle">minutes</text>`,
  ];
  p.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const line = s.points.map((pt) => `${x(pt.atMs).toFixed(1)},${y(pt.value).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${line}"/>`);
    parts.push(`<text x="${x0 + PAD.left + 6}" y="${y0 + PAD.top + 10 + i * 12}" fill="${colour}">${esc(s.label)}</text>`);
    const half = secondHalf(s.points);
    if (s.fit && half.length >= 2) {
      const slope = slopePerMinute(half);
      const mx = half.reduce((a, pt) => a + pt.atMs, 0) / half.length;
      const my = half.reduce((a, pt) => a + pt.value, 0) / half.length;
      const at = (ms: number) => my + (slope * (ms - mx)) / 60_000;
      const [a, b] = [half[0]!.atMs, half[half.length - 1]!.atMs];
      parts.push(
        `<line x1="${x(a).toFixed(1)}" y1="${y(at(a)).toFixed(1)}" x2="${x(b).toFixed(1)}" y2="${y(at(b)).toFixed(1)}" stroke="#000" stroke-dasharray="4 3"/>`,
      );
    }
  });
  return parts.join('\n');
}

/** Panels two to a row; the dashed lines are the second-half fits the trend bound is checked on. */
export function soakChartSvg(panels: readonly ChartPanel[], title: string): string {
  const endMs = Math.max(1, ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.atMs))));
  const rows = Math.ceil(panels.length / 2);
  const width = WIDTH * Math.min(2, panels.length);
  const height = HEIGHT * rows + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panelSvg(p, (i % 2) * WIDTH, Math.floor(i / 2) * HEIGHT, endMs)),
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle" fill="#555">${esc(title)}; dashed: least-squares fit of the second half</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** One operator's readings of one kind as a series (samples where it was unreadable are skipped). */
export function readingSeries(samples: readonly SoakSample[], operator: string, field: keyof OperatorReading): Point[] {
  return samples.flatMap((s) => {
    const value = s.operators[operator]?.[field];
    return value !== undefined ? [{ atMs: s.atMs, value }] : [];
  });
}

/** The API server's request rate as a series. */
export function apiSeries(samples: readonly SoakSample[]): Point[] {
  return samples.flatMap((s) => (s.apiPerSec !== undefined ? [{ atMs: s.atMs, value: s.apiPerSec }] : []));
}

/** The soak's four panels: RSS and descriptors (with their fits), event-loop delay per operator, API request rate. */
export function soakPanels(samples: readonly SoakSample[], operators: readonly string[]): ChartPanel[] {
  const perOperator = (title: string, unit: string, field: keyof OperatorReading, fit: boolean): ChartPanel => ({
    title,
    unit,
    series: operators.map((op) => ({ label: op, points: readingSeries(samples, op, field), fit })),
  });
  return [
    perOperator('RSS', 'MiB', 'rssMb', true),
    perOperator('open file descriptors', 'count', 'fds', true),
    perOperator('event-loop delay p99', 'ms', 'lagP99Ms', false),
    { title: 'API server requests (no watches)', unit: 'per s', series: [{ label: 'all clients', points: apiSeries(samples) }] },
  ];
}
