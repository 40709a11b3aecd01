import { BulwarkError, errorGuard } from './bulwark-error.js';
import { describeError } from './describe-error.js';

/**
 * The wrapped function itself failed with an error that is not a {@link BulwarkError}.
 *
 * Appears only in the `Result` forms, which promise a `BulwarkError`; the original error is the
 * `cause`. Throwing APIs rethrow the original error untouched.
 *
 * The message names the original by its name, `code` and status only (see {@link describeError}),
 * never by its message, which may carry a credential: read `cause` for the rest.
 */
export class OperationFailedError extends BulwarkError {
  readonly code = 'OPERATION_FAILED' as const;

  constructor(cause: unknown) {
    super(`The operation failed (${describeError(cause)}).`, { cause });
  }
}

/** True when `value` is an {@link OperationFailedError}. */
export const isOperationFailedError = errorGuard<OperationFailedError>('OPERATION_FAILED');
