// Exponential backoff with a cap and jitter (pure: the random source is injectable).

/** Exponential backoff with jitter: base delay, cap, growth factor and jitter fraction. */
export interface BackoffOptions {
  /** First delay. Default 1000 ms. */
  baseMs?: number;
  /** Largest delay. Default 5 minutes. */
  capMs?: number;
  /** Multiplier per attempt. Default 2. */
  factor?: number;
  /** Fraction of the delay randomised (0..1): delay * (1 - jitter/2 + jitter*random). Default 0.2. */
  jitter?: number;
}

/** Delay before attempt `retry + 1` (retry is 0-based: the first retry uses retry = 0). */
export function backoffDelay(retry: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 1000;
  const cap = options.capMs ?? 300_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const raw = Math.min(cap, base * factor ** Math.max(0, retry));
  const jittered = raw * (1 - jitter / 2 + jitter * random());
  return Math.round(Math.min(cap, Math.max(0, jittered)));
}
