// Reading an operator's probe server (/healthz, /readyz, /metrics) from a test, while it may not listen yet.

/** A probe response read by `getProbe`: status code and body. */
export interface ProbeAnswer {
  /** The HTTP status code (on /healthz and /readyz: 200 passing, 503 failing). */
  status: number;
  /** The response body. */
  text: string;
}

/** GET `path` of the probe server at `baseUrl`; undefined while nothing answers (not listening yet, or gone). */
export async function getProbe(baseUrl: string, path: string, timeoutMs = 2000): Promise<ProbeAnswer | undefined> {
  try {
    const res = await fetch(new URL(path, baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}
