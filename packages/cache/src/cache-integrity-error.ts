import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/**
 * A value read from Redis could not be trusted: its seal failed to open (tampered, truncated, or
 * sealed under a key this cache no longer holds), it was unsealed while sealing is required, or it
 * was not a cache entry at all. The read is treated as a miss; the error is reported through
 * `onStoreError`, never thrown. Not transient.
 */
export class CacheIntegrityError extends BulwarkError {
  readonly code = 'CACHE_INTEGRITY' as const;
  /** The cache key whose stored value was rejected. */
  readonly key: string;

  constructor(key: string, reason: string, options: { readonly cause?: unknown } = {}) {
    super(`The cached value for key ${quote(key)} was rejected: ${reason}.`, options);
    this.key = key;
  }
}

/** True when `value` is a {@link CacheIntegrityError}. */
export const isCacheIntegrityError = errorGuard<CacheIntegrityError>('CACHE_INTEGRITY');
