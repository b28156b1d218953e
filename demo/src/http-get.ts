// A plain GET to an app on its pod IP, as the reader's browser or curl would do it.
export interface HttpAnswer {
  status: number;
  body: string;
}

export async function httpGet(url: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const response = await fetch(url, { signal, redirect: 'manual', headers: { 'cache-control': 'no-cache' } });
  return { status: response.status, body: await response.text() };
}

/** The numbers of the Macrodata Refinement page, in page order (one `<span class="cell">` each). */
export function pageNumbers(html: string): string[] {
  return [...html.matchAll(/<span class="cell">([^<]*)<\/span>/g)].map((m) => m[1] ?? '');
}
