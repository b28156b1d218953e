// Structured logging: the Logger interface, object-bound child loggers, and the default console logger.

/** A log level: debug, info, warn or error. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Structured fields of a log line (never object contents). */
export type LogFields = Record<string, unknown>;

/** What capstan logs through: any object with these four methods (pino, winston, console adapters). */
export interface Logger {
  /** A detail useful when debugging. */
  debug(msg: string, fields?: LogFields): void;
  /** A normal event of operation. */
  info(msg: string, fields?: LogFields): void;
  /** A problem that is retried or worked around. */
  warn(msg: string, fields?: LogFields): void;
  /** A failure that is not retried, or a bug. */
  error(msg: string, fields?: LogFields): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of `consoleLogger`: level, format (json or plain) and where lines go. */
export interface ConsoleLoggerOptions {
  /** The least severe level written; `info` by default. */
  level?: LogLevel;
  /** One JSON object per line, or plain text with `key=value` fields (the default). */
  format?: 'json' | 'plain';
  /** Where lines go; default process.stderr.write. */
  write?: (line: string) => void;
}

/** A logger writing one line per record (JSON or plain text). */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const min = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (order[level] < min) return;
    if (options.format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...serializable(fields) }));
    } else {
      const extra =
        fields && Object.keys(fields).length
          ? ` ${Object.entries(serializable(fields))
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ')}`
          : '';
      write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${extra}`);
    }
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function serializable(fields: LogFields | undefined): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields ?? {})) out[k] = v instanceof Error ? describeError(v) : v;
  return out;
}

/** An error as log text: class and message (and the cause chain), never a stack of object bodies. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = `${error.name}: ${error.message}`;
  return error.cause instanceof Error ? `${own} (cause: ${describeError(error.cause)})` : own;
}

/** A logger that adds fixed fields (e.g. the object) to every record. */
export function boundLogger(base: Logger, bound: LogFields): Logger {
  const wrap = (level: LogLevel) => (msg: string, fields?: LogFields) => base[level](msg, { ...bound, ...fields });
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

/** A logger that drops everything (tests, embedders with their own logging). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
