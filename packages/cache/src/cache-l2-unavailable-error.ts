import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * The Redis tier (L2) could not serve an operation: not connected, too slow (its deadline passed),
 * failing, or shut off by its circuit breaker. Transient.
 *
 * Reads never reject with it — the cache degrades to memory only and reports it through
 * `onL2Error`. It reaches the caller only when an invalidation could not be carried to Redis
 * (as the `cause` of {@link CacheInvalidationError}).
 */
export class CacheL2UnavailableError extends BulwarkError {
  readonly code = 'CACHE_L2_UNAVAILABLE' as const;
  /** The L2 operation that failed, such as `read`, `write`, `lease` or `invalidate`. */
  readonly operation: string;

  constructor(operation: string, reason: string, options: { readonly cause?: unknown } = {}) {
    super(`The cache's Redis tier failed during ${operation}: ${reason}.`, { ...options, transient: true });
    this.operation = operation;
  }
}

/** True when `value` is a {@link CacheL2UnavailableError}. */
export const isCacheL2UnavailableError = errorGuard<CacheL2UnavailableError>('CACHE_L2_UNAVAILABLE');
