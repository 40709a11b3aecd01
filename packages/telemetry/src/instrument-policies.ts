import type { Disposable } from '@bulwark/core';
import type { Meter } from '@opentelemetry/api';
import { policyMetrics } from './policy-metrics.js';

/**
 * Records the events of every source (retry, breaker, rate limiter, cache, secret store, timeout,
 * bulkhead, fallback, chaos — any object with Bulwark's `onXxx` events) as OpenTelemetry metrics on
 * `meter`, with the default options. Dispose the handle to stop.
 *
 * Call it once per meter: for options, or to add sources later, use {@link policyMetrics}.
 *
 * @example
 * ```ts
 * import type { Meter } from '@opentelemetry/api';
 * import { circuitBreaker } from '@bulwark/breaker';
 * import { retry } from '@bulwark/retry';
 * declare const meter: Meter;
 * const retryPolicy = retry({ name: 'upstream' });
 * const breaker = circuitBreaker({ name: 'upstream' });
 * const subscription = instrumentPolicies(meter, retryPolicy, breaker);
 * // later
 * subscription.dispose();
 * ```
 */
export function instrumentPolicies(meter: Meter, ...sources: readonly object[]): Disposable {
  const metrics = policyMetrics(meter);
  // close() does its work before it returns: the handle stays synchronous.
  const dispose = (): void => void metrics.close();
  try {
    metrics.instrument(...sources);
  } catch (error) {
    dispose();
    throw error;
  }
  return { dispose, [Symbol.dispose]: dispose };
}
