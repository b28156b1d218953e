// Typed errors of the numbers app: configuration problems name the setting at fault.

/** A setting (option or environment variable) has a value the app cannot use. */
export class NumbersConfigError extends Error {
  override name = 'NumbersConfigError';
  /** The option or environment variable at fault, e.g. `SECRET_FILE`. */
  readonly setting: string;
  constructor(message: string, options: { setting: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.setting = options.setting;
  }
}
