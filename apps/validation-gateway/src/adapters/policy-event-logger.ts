import type { Logger, LogLevel, PolicyEventLogger } from '@bulwark/logging';
import type { AppLogger, LogFields } from '../ports/app-logger.js';

/**
 * The logger `logPolicyEvents` writes through: the resolved logger itself when it is
 * `@bulwark/logging`'s (or has its `log` and `isLevelEnabled`), else one that writes each line with
 * the `AppLogger` method of its level (`http`, `verbose` and `silly` at `debug`), leaving the
 * choice of what is written to that logger.
 */
export function policyEventLogger(logger: AppLogger): PolicyEventLogger {
  const full = logger as AppLogger & Partial<Pick<Logger, 'log' | 'isLevelEnabled'>>;
  if (typeof full.log === 'function' && typeof full.isLevelEnabled === 'function') return full as PolicyEventLogger;
  const write = (level: LogLevel, message: string, fields?: LogFields | Error): void => {
    if (level === 'error' || level === 'warn' || level === 'info') logger[level](message, fields);
    else logger.debug(message, fields);
  };
  return {
    log: (level, message, fields) => write(level, typeof message === 'function' ? message() : message instanceof Error ? message.name : message, fields),
    isLevelEnabled: () => true,
  };
}
