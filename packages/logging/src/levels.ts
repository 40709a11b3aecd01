/**
 * The log levels, most severe first, with their numeric rank (winston's `npm` levels). A logger at
 * level `info` writes `error`, `warn` and `info` lines and drops the rest before any work is done.
 */
export const LOG_LEVELS = Object.freeze({
  error: 0,
  warn: 1,
  info: 2,
  http: 3,
  verbose: 4,
  debug: 5,
  silly: 6,
} as const);

/** One of {@link LOG_LEVELS}' names. */
export type LogLevel = keyof typeof LOG_LEVELS;

/** The level names, most severe first. */
export const LOG_LEVEL_NAMES: readonly LogLevel[] = Object.freeze(Object.keys(LOG_LEVELS) as LogLevel[]);
