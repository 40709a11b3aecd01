import { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';
import { toBulwarkError } from './to-bulwark-error.js';

/**
 * Turns a promise into a `ResultAsync` whose error is always a {@link BulwarkError}
 * (see {@link toBulwarkError}). Every `xxxResult` twin in Bulwark is built with it.
 *
 * @example
 * ```ts
 * const result = await toResult(fetch('https://api.example.com/v1/status'));
 * if (result.isErr()) console.warn(result.error.code); // 'OPERATION_FAILED', the fetch error as cause
 * ```
 */
export function toResult<T>(promise: PromiseLike<T>): ResultAsync<T, BulwarkError> {
  return ResultAsync.fromPromise(promise, toBulwarkError);
}
