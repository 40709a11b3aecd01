import { StoreUnavailableError, type Clock } from '@bulwark/core';

/**
 * The default breaker in front of Redis: after `threshold` failures in a row it fails every L2
 * operation at once for `cooldownMs`, then lets one probe through; a success closes it again.
 * Deliberately small — hand the cache any core `Policy` (a breaker from `@bulwark/breaker`, say)
 * to replace it. It is called inline by the cache (admit, then report the outcome) rather than
 * wrapped around the call, to keep promise layers off the read path.
 */
export class L2Guard {
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

  /**
   * Admits one call: returns whether it is the probe that may close the guard again, or throws
   * `StoreUnavailableError` while the guard is open. Report its outcome with
   * {@link L2Guard.succeeded} or {@link L2Guard.failed}.
   */
  admit(): boolean {
    if (this.#failures < this.#threshold) return false;
    if (this.#clock.monotonic() < this.#openUntil || this.#probing) {
      throw new StoreUnavailableError('redisCacheStore', 'guard', `circuit open after ${this.#failures} consecutive failures`);
    }
    this.#probing = true;
    return true;
  }

  succeeded(probe: boolean): void {
    if (probe) this.#probing = false;
    this.#failures = 0;
  }

  failed(probe: boolean): void {
    if (probe) this.#probing = false;
    this.#failures++;
    if (this.#failures >= this.#threshold) this.#openUntil = this.#clock.monotonic() + this.#cooldownMs;
  }
}
