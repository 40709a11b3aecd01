import { BulwarkError, errorGuard } from './bulwark-error.js';

/**
 * The wrapped function itself failed with an error that is not a {@link BulwarkError}.
 *
 * Appears only in the `Result` forms, which promise a `BulwarkError`; the original error is the
 * `cause`. Throwing APIs rethrow the original error untouched.
 */
export class OperationFailedError extends BulwarkError {
  readonly code = 'OPERATION_FAILED' as const;

  constructor(cause: unknown) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : typeof cause;
    super(`The operation failed (${detail}).`, { cause });
  }
}

/** True when `value` is an {@link OperationFailedError}. */
export const isOperationFailedError = errorGuard<OperationFailedError>('OPERATION_FAILED');
