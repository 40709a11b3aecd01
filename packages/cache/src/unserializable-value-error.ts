import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/**
 * A value handed to the cache (by `set` or returned by a loader) cannot be stored: the cache keeps
 * JSON data only — plain objects, arrays, strings, finite numbers, booleans and `null` — so that
 * what comes back from Redis equals what went in. Nothing is written. Not transient.
 */
export class UnserializableValueError extends BulwarkError {
  readonly code = 'CACHE_VALUE_UNSERIALIZABLE' as const;
  /** The cache key the value was meant for. */
  readonly key: string;
  /** Where in the value the problem is, such as `$.user.createdAt`. */
  readonly path: string;

  constructor(key: string, path: string, problem: string) {
    super(`Cannot cache the value for key ${quote(key)}: ${problem} at ${path}; the cache stores JSON data only.`);
    this.key = key;
    this.path = path;
  }
}

/** True when `value` is an {@link UnserializableValueError}. */
export const isUnserializableValueError = errorGuard<UnserializableValueError>('CACHE_VALUE_UNSERIALIZABLE');
