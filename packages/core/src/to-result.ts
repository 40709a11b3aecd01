import { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';
import { toBulwarkError } from './to-bulwark-error.js';

/**
 * Turns a promise into a `ResultAsync` whose error is always a {@link BulwarkError}
 * (see {@link toBulwarkError}). Every `xxxResult` twin in Bulwark is built with it.
 *
 * @example
 * ```ts
 * executeResult<T>(fn, signal) { return toResult(this.execute(fn, signal)); }
 * ```
 */
export function toResult<T>(promise: PromiseLike<T>): ResultAsync<T, BulwarkError> {
  return ResultAsync.fromPromise(promise, toBulwarkError);
}
