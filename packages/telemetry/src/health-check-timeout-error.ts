import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/** The reason a timed-out check's signal aborts with. */
export class HealthCheckTimeoutError extends BulwarkError {
  readonly code = 'HEALTH_CHECK_TIMEOUT' as const;
  /** The name of the check that timed out. */
  readonly check: string;
  /** Its limit, in ms. */
  readonly timeoutMs: number;
  constructor(check: string, timeoutMs: number) {
    super(`Health check ${quote(check)} timed out after ${timeoutMs} ms.`, { transient: true });
    this.check = check;
    this.timeoutMs = timeoutMs;
  }
}

/** True for a {@link HealthCheckTimeoutError}. */
export const isHealthCheckTimeoutError = errorGuard<HealthCheckTimeoutError>('HEALTH_CHECK_TIMEOUT');
