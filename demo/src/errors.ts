// The demo's typed errors: what failed, in words a newcomer can act on, with the underlying cause kept.
export class DemoError extends Error {
  override name = 'DemoError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A program (kubectl, age-secret, an operator) exited non-zero or could not start. */
export class CommandError extends DemoError {
  override name = 'CommandError';
  readonly exitCode: number | null;
  constructor(message: string, options: { cause?: unknown; exitCode?: number | null } = {}) {
    super(message, options);
    this.exitCode = options.exitCode ?? null;
  }
}

/** Ctrl-C (or the embedder's signal) arrived while a step was running. */
export class StoppedError extends DemoError {
  override name = 'StoppedError';
  constructor(options: { cause?: unknown } = {}) {
    super('stopped', options);
  }
}
