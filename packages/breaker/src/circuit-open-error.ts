import { BulwarkError, errorGuard } from '@bulwark/core';
import type { CircuitState } from './circuit-state.js';

/**
 * A circuit breaker refused the call without running it: the circuit is open, half-open with every
 * probe slot taken, or isolated by hand.
 *
 * `retryAfterMs` is the time until the circuit lets a call through again: the rest of the break
 * when `open`; `0` when `half-open` (probes are running now; wait by your own backoff); `undefined`
 * when `isolated` (nobody knows — an operator holds it open). Transient, except when isolated.
 * `cause` is the last failure the breaker recorded, when there is one.
 *
 * @example
 * ```ts
 * declare function fetchQuote(): Promise<number>;
 * declare function lastKnownQuote(retryAfterMs: number | undefined): number;
 * const breaker = circuitBreaker({ name: 'quotes' });
 * async function quote(): Promise<number> {
 *   try {
 *     return await breaker.execute(fetchQuote);
 *   } catch (error) {
 *     if (isCircuitOpenError(error)) return lastKnownQuote(error.retryAfterMs); // failed fast
 *     throw error;
 *   }
 * }
 * ```
 */
export class CircuitOpenError extends BulwarkError {
  readonly code = 'CIRCUIT_OPEN' as const;
  /** The state that refused the call. */
  readonly state: Exclude<CircuitState, 'closed'>;
  /** The name of the breaker, when it has one. */
  readonly breaker: string | undefined;

  constructor(state: Exclude<CircuitState, 'closed'>, retryAfterMs: number | undefined, breaker?: string, cause?: unknown) {
    const who = breaker === undefined ? 'The circuit' : `The circuit ${JSON.stringify(breaker)}`;
    const message =
      state === 'isolated'
        ? `${who} is isolated (held open by hand); calls fail until it is released.`
        : state === 'half-open'
          ? `${who} is half-open and every probe slot is taken; try again later.`
          : `${who} is open; it lets a probe call through in ${Math.ceil(retryAfterMs ?? 0)} ms.`;
    super(message, { cause, transient: state !== 'isolated', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    this.state = state;
    this.breaker = breaker;
  }
}

/** True when `value` is a {@link CircuitOpenError} (from any copy of the package). */
export const isCircuitOpenError = errorGuard<CircuitOpenError>('CIRCUIT_OPEN');
