import { BulwarkError, errorGuard } from '@bulwark/core';

/**
 * `instrument()` or `measure()` was called on a {@link PolicyMetrics} after its `close()`: it no
 * longer records what it is given, so the call is refused rather than answered with a subscription
 * or a policy that records nothing. Not transient: make a new `policyMetrics()`.
 *
 * @example
 * ```ts
 * import type { MeterProvider } from '@opentelemetry/api';
 * declare const meterProvider: MeterProvider;
 * const metrics = policyMetrics(meterProvider.getMeter('checkout'));
 * await metrics.close();
 * try { metrics.measure({ name: 'checkout' }) } catch (error) {
 *   if (isPolicyMetricsClosedError(error)) console.log(error.method); // 'measure'
 * }
 * ```
 */
export class PolicyMetricsClosedError extends BulwarkError {
  readonly code = 'POLICY_METRICS_CLOSED' as const;
  /** The method that was called: `instrument` or `measure`. */
  readonly method: string;

  constructor(method: string) {
    super(`The policy metrics are closed: ${method}() was called after close(). Make a new policyMetrics() to keep recording.`);
    this.method = method;
  }
}

/** True for a {@link PolicyMetricsClosedError} (from any copy of the package). */
export const isPolicyMetricsClosedError = errorGuard<PolicyMetricsClosedError>('POLICY_METRICS_CLOSED');
