import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * The shared store (Redis) did not answer in time or failed. A rate limiter never throws it where a
 * decision was asked for: it decides locally instead and reports this error through
 * `onStoreFallback`. Transient.
 *
 * @example
 * ```ts
 * limiter.onStoreFallback(({ error, fallbackDecisions }) => metrics.count('ratelimit.fallback', { op: error.operation }));
 * ```
 */
export class StoreUnavailableError extends BulwarkError {
  readonly code = 'RATE_LIMIT_STORE_UNAVAILABLE' as const;
  /** What the store was asked to do: `decide`, `hold`, `strike` or `clear`. */
  readonly operation: string;

  constructor(operation: string, reason: string, options: { readonly cause?: unknown } = {}) {
    super(`The rate-limit store could not ${operation}: ${reason}.`, { transient: true, cause: options.cause });
    this.operation = operation;
  }
}

/** True when `value` is a {@link StoreUnavailableError}. */
export const isStoreUnavailableError = errorGuard<StoreUnavailableError>('RATE_LIMIT_STORE_UNAVAILABLE');
