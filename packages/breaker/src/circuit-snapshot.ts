/**
 * A circuit's state as JSON-safe data, from {@link CircuitBreakerPolicy.toJSON}; give it to
 * {@link CircuitBreakerPolicy.restore} after a restart. Times are wall-clock, so a snapshot taken
 * in one process is good in another on a machine with a sane clock.
 */
export interface CircuitSnapshot {
  readonly version: 1;
  /** The breaker's name, for the reader's benefit; restore does not check it. */
  readonly name?: string;
  /** A half-open circuit is saved as open until the moment of the snapshot: it probes again first thing. */
  readonly state: 'closed' | 'open' | 'isolated';
  /** When an open circuit lets probes through, in milliseconds since the Unix epoch. */
  readonly openUntil?: number;
  /** How many times in a row it has opened, for a backoff `halfOpenAfterMs`. */
  readonly attempt?: number;
  /** The closed-state window (its shape depends on the breaker kind). */
  readonly window?: unknown;
}
