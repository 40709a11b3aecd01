import { BulwarkError, errorGuard } from './bulwark-error.js';
import { expectOptions, invalidOption } from './validate.js';

/** A call did not finish within its time limit (see `timeout`). Transient. */
export class TimeoutError extends BulwarkError {
  readonly code = 'TIMEOUT' as const;
  /** The limit that was crossed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options: { readonly cause?: unknown } = {}) {
    // NaN is a limit nobody knows (a platform TimeoutError mapped by toBulwarkError).
    if (typeof timeoutMs !== 'number') throw invalidOption('timeoutMs', timeoutMs, 'the limit crossed, in milliseconds (a number)');
    expectOptions('options', options);
    super(`The call timed out after ${timeoutMs} ms.`, { ...options, transient: true });
    this.timeoutMs = timeoutMs;
  }
}

/** True when `value` is a {@link TimeoutError}. */
export const isTimeoutError = errorGuard<TimeoutError>('TIMEOUT');
