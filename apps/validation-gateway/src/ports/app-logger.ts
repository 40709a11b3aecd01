/** Fields of a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Port: structured logging. `@bulwark/logging`'s `Logger` is one. */
export interface AppLogger {
  error(message: string, fields?: LogFields | Error): void;
  warn(message: string, fields?: LogFields | Error): void;
  info(message: string, fields?: LogFields | Error): void;
  debug(message: string | (() => string), fields?: LogFields | Error): void;
  child(fields: LogFields): AppLogger;
}
