import { BulwarkError, errorGuard } from './bulwark-error.js';
import { isTimeoutError } from './timeout-error.js';

/**
 * A shared store (Redis) did not answer: it was not connected, failed, or was too slow for its
 * deadline. Transient.
 *
 * The primitives that use a store never reject a caller with it where they can decide locally
 * (a rate limiter's fallback share, a breaker's local state, a cache's memory tier): they report
 * it through `onStoreError` and carry on. `store` names the store (`redisRateLimitStore`, …) and
 * `operation` what it was asked to do.
 *
 * @example
 * ```ts
 * declare const limiter: { readonly onStoreError: Event<StoreErrorEvent> }; // a rate limiter, a cache, a breaker
 * declare const metrics: { count(name: string, tags: Record<string, string>): void };
 * limiter.onStoreError(({ error }) => {
 *   if (isStoreUnavailableError(error)) metrics.count('store.down', { op: error.operation });
 * });
 * ```
 */
export class StoreUnavailableError extends BulwarkError {
  readonly code = 'STORE_UNAVAILABLE' as const;
  /** The store that failed, by its factory's name (`redisCacheStore`, `redisCircuitStore`, `redisRateLimitStore`). */
  readonly store: string;
  /** What the store was asked to do (`decide`, `read`, `acquire`, …). */
  readonly operation: string;

  constructor(store: string, operation: string, reason: string, options: { readonly cause?: unknown } = {}) {
    super(`The store (${store}) could not ${operation}: ${reason}.`, { transient: true, cause: options.cause });
    this.store = store;
    this.operation = operation;
  }

  /**
   * `error` as a store failure: itself when it is a `StoreUnavailableError` already; a core
   * `TimeoutError` as "did not answer within N ms"; anything else wrapped, with it as the `cause`.
   * For stores and the primitives that report a store's failures.
   */
  static from(store: string, operation: string, error: unknown): StoreUnavailableError {
    if (isStoreUnavailableError(error)) return error;
    if (isTimeoutError(error) && Number.isFinite(error.timeoutMs)) {
      return new StoreUnavailableError(store, operation, `Redis did not answer within ${error.timeoutMs} ms`);
    }
    return new StoreUnavailableError(store, operation, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** True when `value` is a {@link StoreUnavailableError}. */
export const isStoreUnavailableError = errorGuard<StoreUnavailableError>('STORE_UNAVAILABLE');
