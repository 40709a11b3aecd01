import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * An invalidation (by key, tag or namespace) took effect in this process's memory but could not
 * be written to Redis, so other instances and the shared tier may still hold the old value.
 * Transient: call the same invalidation again once Redis is back. The cause is the L2 failure.
 */
export class CacheInvalidationIncompleteError extends BulwarkError {
  readonly code = 'CACHE_INVALIDATION_INCOMPLETE' as const;
  /** What was invalidated: `key`, `tag` or `namespace`. */
  readonly scope: 'key' | 'tag' | 'namespace';
  /** The key or tag invalidated; `undefined` for a namespace bump. */
  readonly target: string | undefined;

  constructor(scope: 'key' | 'tag' | 'namespace', target: string | undefined, options: { readonly cause?: unknown } = {}) {
    const what = target === undefined ? 'the namespace' : `${scope} ${JSON.stringify(target)}`;
    super(`Invalidated ${what} in memory only: Redis could not be reached, other instances may still serve the old value.`, {
      ...options,
      transient: true,
    });
    this.scope = scope;
    this.target = target;
  }
}

/** True when `value` is a {@link CacheInvalidationIncompleteError}. */
export const isCacheInvalidationIncompleteError = errorGuard<CacheInvalidationIncompleteError>('CACHE_INVALIDATION_INCOMPLETE');
