// The soak's verdict on a series: its least-squares slope over the second half of the run, and whether the rise
// that slope implies across that window stays under a stated bound (memory or descriptors that keep growing).

/** One reading of a series: time since the soak started (ms) and the value. */
export interface Point {
  atMs: number;
  value: number;
}

/** Least-squares slope of value over time, per minute; 0 for fewer than two points or no time spread. */
export function slopePerMinute(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.atMs, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.atMs - mx) * (p.value - my);
    sxx += (p.atMs - mx) ** 2;
  }
  return sxx === 0 ? 0 : (sxy / sxx) * 60_000;
}

/** The points of the second half of the run (by time: from the midpoint of the first and last reading on). */
export function secondHalf(points: readonly Point[]): Point[] {
  if (points.length === 0) return [];
  const mid = (points[0]!.atMs + points[points.length - 1]!.atMs) / 2;
  return points.filter((p) => p.atMs >= mid);
}

/** What a series is allowed to rise across the second half: a fixed allowance plus a share of its level there. */
export interface TrendBound {
  /** Allowed rise in the series' unit (noise of a healthy process: GC sawtooth, pooled sockets). */
  absolute: number;
  /** Allowed rise as a share of the second half's mean (0.1 = 10 %). */
  relative: number;
}

export interface TrendVerdict {
  /** Least-squares slope over the second half, per minute. */
  slopePerMin: number;
  /** The rise that slope implies across the second half's span (slope x span). */
  rise: number;
  /** The largest rise allowed. */
  allowed: number;
  /** Mean of the second half. */
  mean: number;
  ok: boolean;
}

/**
 * Fits a line to the second half of the run and compares the rise it implies across that half with the bound.
 * A falling or flat series always passes; fewer than 3 points in the second half is never a verdict of growth.
 */
export function trendVerdict(points: readonly Point[], bound: TrendBound): TrendVerdict {
  const half = secondHalf(points);
  const mean = half.length ? half.reduce((s, p) => s + p.value, 0) / half.length : 0;
  const allowed = bound.absolute + bound.relative * mean;
  if (half.length < 3) return { slopePerMin: 0, rise: 0, allowed, mean, ok: true };
  const slope = slopePerMinute(half);
  const spanMin = (half[half.length - 1]!.atMs - half[0]!.atMs) / 60_000;
  const rise = slope * spanMin;
  return { slopePerMin: slope, rise, allowed, mean, ok: rise <= allowed };
}
