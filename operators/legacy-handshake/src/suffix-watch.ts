// Watches the one suffix Secret (by name, so RBAC can stay on resourceNames) and drops the cached suffix on change.
import type { KubeClient, Logger } from 'capstan';
import type { SuffixSource } from './suffix.js';

export interface SuffixWatchOptions {
  client: KubeClient;
  source: SuffixSource;
  signal: AbortSignal;
  logger?: Logger;
  /** Pause after a failed or ended stream before watching again. */
  retryDelayMs?: number;
}

const SECRETS = { version: 'v1', plural: 'secrets' } as const;

/** Runs until the signal aborts; never throws (a failing watch only delays rotation to the cache's max age). */
export async function watchSuffixSecret(options: SuffixWatchOptions): Promise<void> {
  const { client, source, signal, logger } = options;
  const ref = source.ref;
  const retryDelayMs = options.retryDelayMs ?? 5000;
  while (!signal.aborted) {
    try {
      const stream = client.watch(SECRETS, {
        namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}`, timeoutSeconds: 300, signal,
      });
      for await (const event of stream) {
        if (event.type === 'BOOKMARK') continue;
        if (source.isStale(event.object.metadata?.resourceVersion)) {
          source.invalidate();
          logger?.debug('suffix Secret changed: the next handshake reads it again', { secret: `${ref.namespace}/${ref.name}`, event: event.type });
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      // The value is never in the error: watch errors carry status and reason only.
      logger?.warn('watching the suffix Secret failed; retrying', { secret: `${ref.namespace}/${ref.name}`, error: (error as Error).message });
    }
    await pause(retryDelayMs, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
