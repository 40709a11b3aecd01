import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * The shared circuit store failed, or did not answer within its deadline. Never thrown at a caller:
 * a breaker reports it through `onSharedStateError` and decides on its local state alone.
 */
export class SharedStateError extends BulwarkError {
  readonly code = 'SHARED_STATE_UNAVAILABLE' as const;
  /** The store operation that failed: `sync`, `vote`, `acquire` or `release`. */
  readonly operation: string;

  constructor(operation: string, reason: string, cause?: unknown) {
    super(`The shared circuit store could not ${operation}: ${reason}. The breaker goes on with its local state.`, {
      cause,
      transient: true,
    });
    this.operation = operation;
  }
}

/** True when `value` is a {@link SharedStateError}. */
export const isSharedStateError = errorGuard<SharedStateError>('SHARED_STATE_UNAVAILABLE');
