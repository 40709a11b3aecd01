import { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';
import { toBulwarkError } from './to-bulwark-error.js';
import { invalidOption } from './validate.js';

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
  try {
    return ResultAsync.fromPromise(promise, toBulwarkError);
  } catch {
    // Checked only once it has failed: every policy's executeResult comes through here.
    if (typeof (promise as { then?: unknown } | null | undefined)?.then !== 'function') {
      throw invalidOption('promise', promise, typeof promise === 'function' ? 'a promise, not the function that makes one: `toResult(fn())`' : 'a promise (or a thenable)');
    }
    // A thenable that is not a promise (its `then` returns no `catch`, or throws): made one.
    return ResultAsync.fromPromise(Promise.resolve(promise), toBulwarkError);
  }
}
