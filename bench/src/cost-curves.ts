// Cost curves as an SVG: time, CPU and memory per object against N (log scale), so linearity shows at a glance.

/** One measured point of the scaling workload. */
export interface CostPoint {
  n: number;
  /** Operator wall time per object (ms). */
  perObjectMs: number;
  /** Operator CPU per object (ms). */
  cpuMsPerObject: number;
  /** Peak RSS of the operator (MiB). */
  peakRssMb: number;
}

interface Panel {
  title: string;
  unit: string;
  values: number[];
  /** A goal line, when the metric has one. */
  goal?: number;
}

const WIDTH = 260;
const HEIGHT = 190;
const PAD = { left: 44, right: 12, top: 26, bottom: 34 };

/** A value with the digits a chart label needs. */
export const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
/** Text escaped for SVG. */
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One panel: points on a log-x, linear-y plot, labelled with their values; a dashed goal line if any. */
function panel(p: Panel, ns: number[], x0: number): string {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const top = Math.max(...p.values, p.goal ?? 0) * 1.15 || 1;
  const [lo, hi] = [Math.log10(Math.min(...ns)), Math.log10(Math.max(...ns))];
  const x = (n: number) => x0 + PAD.left + (hi === lo ? w / 2 : ((Math.log10(n) - lo) / (hi - lo)) * w);
  const y = (v: number) => PAD.top + h - (v / top) * h;
  const pts = ns.map((n, i) => [x(n), y(p.values[i] ?? 0)] as const);
  const parts = [
    `<text x="${x0 + WIDTH / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(p.title)} (${esc(p.unit)})</text>`,
    `<line x1="${x0 + PAD.left}" y1="${PAD.top + h}" x2="${x0 + PAD.left + w}" y2="${PAD.top + h}" stroke="#555"/>`,
    `<line x1="${x0 + PAD.left}" y1="${PAD.top}" x2="${x0 + PAD.left}" y2="${PAD.top + h}" stroke="#555"/>`,
    `<text x="${x0 + PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end">${fmt(top)}</text>`,
    `<text x="${x0 + PAD.left - 4}" y="${PAD.top + h}" text-anchor="end">0</text>`,
    ...ns.map((n) => `<text x="${x(n)}" y="${PAD.top + h + 14}" text-anchor="middle">${n >= 1000 ? `${n / 1000}k` : n}</text>`),
    `<text x="${x0 + PAD.left + w / 2}" y="${HEIGHT - 4}" text-anchor="middle">N objects (log)</text>`,
    ...(p.goal !== undefined
      ? [
          `<line x1="${x0 + PAD.left}" y1="${y(p.goal)}" x2="${x0 + PAD.left + w}" y2="${y(p.goal)}" stroke="#2a7" stroke-dasharray="4 3"/>`,
          `<text x="${x0 + PAD.left + w}" y="${y(p.goal) - 3}" text-anchor="end" fill="#2a7">goal ${fmt(p.goal)}</text>`,
        ]
      : []),
    `<polyline fill="none" stroke="#36c" stroke-width="2" points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`,
    ...pts.map(
      ([a, b], i) =>
        `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3" fill="#36c"/><text x="${a.toFixed(1)}" y="${(b - 6).toFixed(1)}" text-anchor="middle">${fmt(p.values[i] ?? 0)}</text>`,
    ),
  ];
  return parts.join('\n');
}

/** The three panels side by side; goals: 2 ms CPU per object (issue [perf]) and 100 MiB peak RSS. */
export function costCurvesSvg(points: readonly CostPoint[], title: string): string {
  const sorted = [...points].sort((a, b) => a.n - b.n);
  const ns = sorted.map((p) => p.n);
  const panels: Panel[] = [
    { title: 'wall time per object', unit: 'ms', values: sorted.map((p) => p.perObjectMs) },
    { title: 'operator CPU per object', unit: 'ms', values: sorted.map((p) => p.cpuMsPerObject), goal: 2 },
    { title: 'operator peak RSS', unit: 'MiB', values: sorted.map((p) => p.peakRssMb), goal: 100 },
  ];
  const width = WIDTH * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT + 20}" viewBox="0 0 ${width} ${HEIGHT + 20}" font-family="sans-serif" font-size="10">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panel(p, ns, i * WIDTH)),
    `<text x="${width / 2}" y="${HEIGHT + 14}" text-anchor="middle" fill="#555">${esc(title)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
