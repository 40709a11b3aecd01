import type { IBackoff } from 'cockatiel';
import type { HalfOpenBackoffContext } from '../circuit-breaker.js';

/** Calls go through; their outcomes are recorded by the window and may open the circuit. */
export interface Closed {
  readonly kind: 'closed';
}

/** What an open circuit and its half-open episodes carry between them, until it closes. */
interface Break {
  /** How many times in a row the circuit has opened without closing, from 1. */
  readonly attempt: number;
  /** The half-open backoff's state, when `halfOpenAfterMs` is a backoff. */
  readonly backoff: IBackoff<HalfOpenBackoffContext> | undefined;
  /** The break was decided by the shared store's quorum, not by this instance alone. */
  shared: boolean;
}

/** Calls fail fast until `openUntil` (monotonic ms); the first call after it turns the circuit half-open. */
export interface Open extends Break {
  readonly kind: 'open';
  readonly openUntil: number;
}

/** A bounded number of probes go through; all succeeding closes the circuit, one failing reopens it. */
export interface HalfOpen extends Break {
  readonly kind: 'half-open';
  /** Probes let through in this episode, a probe without a verdict given back. */
  admitted: number;
  /** Probes of this episode that succeeded. */
  successes: number;
  /** This instance holds the shared store's probe lease for this episode. */
  leaseHeld: boolean;
}

/** Held open by hand until every handle of `isolate()` is disposed. */
export interface Isolated {
  readonly kind: 'isolated';
  /** Handles not yet disposed. */
  handles: number;
}

/**
 * A circuit's state, each carrying only its own data (cockatiel's `InnerState` idea). Every
 * transition makes a new object, so a call that remembers the state it started in knows, by
 * identity, whether its outcome still counts.
 */
export type BreakerState = Closed | Open | HalfOpen | Isolated;
