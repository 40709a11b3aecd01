import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/**
 * A call was made on a cache after its `close()`: the cache no longer hears other instances'
 * invalidations, so what its memory holds may be stale, and its Redis tier is shut. Every method but
 * `close()`, `ready()` and `stats()` refuses; nothing is read or written. Not transient: make a new
 * `cache()` (or stop calling this one once you have closed it).
 *
 * @example
 * ```ts
 * const users = cache({ name: 'users' });
 * await users.close();
 * await users.get('42').catch((error: unknown) => {
 *   if (isCacheClosedError(error)) console.log(error.method); // 'get'
 * });
 * ```
 */
export class CacheClosedError extends BulwarkError {
  readonly code = 'CACHE_CLOSED' as const;
  /** The name of the cache that was closed. */
  readonly cache: string;
  /** The method that was called, as it was called: `getOrSet`, `getResult`, `policy().execute`. */
  readonly method: string;

  constructor(cache: string, method: string) {
    super(`The cache ${quote(cache)} is closed: ${method}() was called after close(). Make a new cache() to keep caching.`);
    this.cache = cache;
    this.method = method;
  }
}

/** True when `value` is a {@link CacheClosedError} (from any copy of the package). */
export const isCacheClosedError = errorGuard<CacheClosedError>('CACHE_CLOSED');
