// Abort-aware sleeping and signal plumbing.

/** Resolves after `ms`, or early (without throwing) when the signal aborts. Returns whether it slept fully. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A controller aborted when any of the given signals aborts; `dispose()` detaches the listeners. */
export function linkedAbort(...signals: (AbortSignal | undefined)[]): {
  controller: AbortController;
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const live = signals.filter((s): s is AbortSignal => !!s);
  const listeners: [AbortSignal, () => void][] = [];
  for (const s of live) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const l = () => controller.abort(s.reason);
    s.addEventListener('abort', l, { once: true });
    listeners.push([s, l]);
  }
  return {
    controller,
    signal: controller.signal,
    dispose: () => listeners.forEach(([s, l]) => s.removeEventListener('abort', l)),
  };
}

/** Resolves true when `promise` settles, false as soon as `signal` aborts (whichever comes first); never rejects. */
export function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(!signal.aborted);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(!signal.aborted);
      },
    );
  });
}
