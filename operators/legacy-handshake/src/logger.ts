// The logger shape the operator writes to: capstan's Logger (and console adapters) satisfy it structurally.

export type LogFields = Record<string, unknown>;

export interface LoggerLike {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}
