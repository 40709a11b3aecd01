/** What a {@link Backoff} function is told when it computes the wait before the next attempt. */
export interface BackoffContext {
  /** The number of the attempt that just failed, from 1. */
  readonly attempt: number;
  /** The error that attempt failed with. */
  readonly error: unknown;
  /** The wait this backoff chose before the previous attempt, in milliseconds (after the cap); 0 before the first retry. */
  readonly previousDelayMs: number;
  /** The policy's cap on one wait (`maxDelayMs`), in milliseconds. Values above it are cut down to it. */
  readonly maxDelayMs: number;
  /** The policy's random source: a uniform number in [0, 1). Use it, not `Math.random`, so tests can seed it. */
  readonly random: () => number;
}

/**
 * Computes the wait, in milliseconds, before the next attempt. The policy cuts the result down to
 * `maxDelayMs`, lengthens it to a server's `retryAfterMs`, and gives up if it would cross
 * `maxElapsedMs`. Must return a non-negative number (a negative or `NaN` rejects the call with a
 * `TypeError`).
 *
 * Built-ins: {@link exponentialBackoff}, {@link decorrelatedJitterBackoff}, {@link constantBackoff}.
 *
 * @example
 * ```ts
 * const linear: Backoff = ({ attempt }) => attempt * 250;
 * ```
 */
export type Backoff = (context: BackoffContext) => number;
