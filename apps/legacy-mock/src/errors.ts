// Typed errors of the legacy-mock app: configuration problems say which setting is wrong and why.

/** A setting (option or environment variable) has a value the app cannot use. */
export class LegacyMockConfigError extends Error {
  override name = 'LegacyMockConfigError';
  /** The option or environment variable at fault, e.g. `PORT`. */
  readonly setting: string;
  constructor(message: string, options: { setting: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.setting = options.setting;
  }
}
