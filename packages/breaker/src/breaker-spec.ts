import type { IBreaker } from 'cockatiel';

/**
 * Opens the circuit after `threshold` failures in a row; any success starts the count again.
 * The classic breaker, and the cheapest: one integer of state.
 *
 * @example
 * ```ts
 * circuitBreaker({ breaker: { kind: 'consecutive', threshold: 5 } })
 * ```
 */
export interface ConsecutiveBreakerSpec {
  readonly kind: 'consecutive';
  /** Failures in a row that open the circuit: a positive integer. */
  readonly threshold: number;
}

/** Thresholds shared by the sliding-window breakers ({@link CountWindowSpec}, {@link TimeWindowSpec}). */
export interface WindowThresholds {
  /**
   * Calls the window must hold before it may open the circuit, so that two failures out of three
   * calls at 3 a.m. do not count as a 66 % failure rate.
   * @default `size` for a count window, 20 for a time window
   */
  readonly minimumCalls?: number;
  /**
   * Share of failed calls in the window, from 0 (exclusive) to 1, at or above which the circuit opens.
   * @default 0.5
   */
  readonly failureRateThreshold?: number;
  /**
   * A call that takes this long or longer, in milliseconds, is slow (whether it succeeds or fails),
   * as in resilience4j. Unset: no call is slow and the slow-call rate is not checked.
   */
  readonly slowCallDurationMs?: number;
  /**
   * Share of slow calls in the window, from 0 (exclusive) to 1, at or above which the circuit
   * opens. Only with `slowCallDurationMs`.
   * @default 1
   */
  readonly slowCallRateThreshold?: number;
}

/**
 * A count-based sliding window: the outcome of the last `size` calls decides.
 *
 * @example
 * ```ts
 * circuitBreaker({ breaker: { kind: 'count', size: 50, minimumCalls: 20, failureRateThreshold: 0.5 } })
 * ```
 */
export interface CountWindowSpec extends WindowThresholds {
  readonly kind: 'count';
  /** Calls the window remembers: a positive integer. */
  readonly size: number;
}

/**
 * A time-based sliding window: the calls that ended in the last `windowMs` milliseconds decide.
 * Time is cut into `buckets` slices aligned on the wall clock (so that a snapshot restored in
 * another process lands in the same slices); a slice leaves the window whole, so the window spans
 * between `windowMs − windowMs / buckets` and `windowMs`.
 *
 * @example
 * ```ts
 * circuitBreaker({
 *   breaker: { kind: 'time', windowMs: 30_000, minimumCalls: 20, failureRateThreshold: 0.5, slowCallDurationMs: 2_000 },
 * })
 * ```
 */
export interface TimeWindowSpec extends WindowThresholds {
  readonly kind: 'time';
  /** The window's length, in milliseconds. */
  readonly windowMs: number;
  /** Slices the window is cut into: an integer from 1 to 1000. @default 10 */
  readonly buckets?: number;
}

/**
 * What opens the circuit: one of the three built-in breakers as a plain object (so that a
 * {@link circuitBreakerRegistry} can build a fresh one for each dependency), or any cockatiel
 * `IBreaker` instance (`ConsecutiveBreaker`, `CountBreaker`, `SamplingBreaker` or your own) when
 * migrating from cockatiel — note that cockatiel's `SamplingBreaker` reads `Date.now()` and so
 * ignores the injected clock.
 */
export type BreakerSpec = ConsecutiveBreakerSpec | CountWindowSpec | TimeWindowSpec | IBreaker;
