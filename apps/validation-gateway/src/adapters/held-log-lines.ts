import type { AppLogger, LogFields } from '../ports/app-logger.js';

/**
 * The composition root's own lines (Redis, secrets, domain facts) go to the logger the container
 * resolves once every registration is made, the override's included: a logger swapped there gets
 * them all. Lines written before that (Redis unreachable at start) are held and written to it then;
 * without an override, which alone can swap it, they go at once to the default logger.
 */
export class HeldLogLines {
  #target: AppLogger | undefined;
  readonly #held: ((logger: AppLogger) => void)[] = [];

  error(message: string, fields?: LogFields): void {
    this.#write((logger) => logger.error(message, fields));
  }
  warn(message: string, fields?: LogFields): void {
    this.#write((logger) => logger.warn(message, fields));
  }
  info(message: string, fields?: LogFields): void {
    this.#write((logger) => logger.info(message, fields));
  }
  debug(message: string, fields?: LogFields): void {
    this.#write((logger) => logger.debug(message, fields));
  }

  /** From now on lines go to `logger`, the held ones first. Only the first call counts. */
  settle(logger: AppLogger): void {
    if (this.#target !== undefined) return;
    this.#target = logger;
    for (const write of this.#held.splice(0)) write(logger);
  }

  #write(write: (logger: AppLogger) => void): void {
    if (this.#target === undefined) this.#held.push(write);
    else write(this.#target);
  }
}
