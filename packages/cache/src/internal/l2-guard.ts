import { CallContext, toResult, type BulwarkError, type Clock, type Policy, type PolicyFunction } from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { CacheL2UnavailableError } from '../cache-l2-unavailable-error.js';

/**
 * The default breaker in front of Redis: after `threshold` failures in a row it fails every L2
 * operation at once for `cooldownMs`, then lets one probe through; a success closes it again.
 * Deliberately small — hand the cache any core `Policy` (a breaker from `@bulwark/breaker`, say)
 * to replace it.
 */
export class L2Guard implements Policy {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #clock: Clock;
  #failures = 0;
  #openUntil = 0;
  #probing = false;

  constructor(threshold: number, cooldownMs: number, clock: Clock) {
    this.#threshold = threshold;
    this.#cooldownMs = cooldownMs;
    this.#clock = clock;
  }

  get open(): boolean {
    return this.#failures >= this.#threshold;
  }

  execute<T>(fn: PolicyFunction<T>): Promise<T> {
    let probe = false;
    if (this.#failures >= this.#threshold) {
      const now = this.#clock.monotonic();
      if (now < this.#openUntil || this.#probing) {
        return Promise.reject(
          new CacheL2UnavailableError('guard', `circuit open after ${this.#failures} consecutive failures`),
        );
      }
      this.#probing = probe = true;
    }
    let pending: PromiseLike<T> | T;
    try {
      pending = fn(new CallContext());
    } catch (error) {
      this.#fail(probe);
      return Promise.reject(error);
    }
    return Promise.resolve(pending).then(
      (value) => {
        if (probe) this.#probing = false;
        this.#failures = 0;
        return value;
      },
      (error: unknown) => {
        this.#fail(probe);
        throw error;
      },
    );
  }

  executeResult<T>(fn: PolicyFunction<T>): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn));
  }

  #fail(probe: boolean): void {
    if (probe) this.#probing = false;
    this.#failures++;
    if (this.#failures >= this.#threshold) this.#openUntil = this.#clock.monotonic() + this.#cooldownMs;
  }
}
