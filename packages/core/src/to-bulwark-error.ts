import { AbortedError } from './aborted-error.js';
import { BulwarkError, isBulwarkError } from './bulwark-error.js';
import { OperationFailedError } from './operation-failed-error.js';
import { TimeoutError } from './timeout-error.js';

/**
 * Maps any thrown value to a {@link BulwarkError}, as the `Result` forms do: Bulwark errors pass
 * through; an `AbortError` becomes {@link AbortedError}; a platform `TimeoutError` (from
 * `AbortSignal.timeout`) becomes {@link TimeoutError}; anything else becomes
 * {@link OperationFailedError}. The original is always kept as `cause`.
 */
export function toBulwarkError(error: unknown): BulwarkError {
  if (isBulwarkError(error)) return error;
  if (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)) {
    const name = (error as Error).name;
    if (name === 'AbortError') return new AbortedError({ cause: error });
    if (name === 'TimeoutError') return new TimeoutError(Number.NaN, { cause: error });
  }
  return new OperationFailedError(error);
}
