import { BulwarkError, describeError, errorGuard } from '@bulwark/core';

/**
 * A retry was refused because the {@link RetryBudget} shared by the policies calling this dependency
 * is spent: too many retries for the recent number of calls. The policy fails fast instead of joining
 * a retry storm.
 *
 * `errors` holds every attempt's error, `cause` the last one. Not transient, for the same reason as
 * `RetriesExhaustedError`: retrying it from outside would defeat the budget.
 *
 * @example
 * ```ts
 * declare const error: unknown;
 * declare const metrics: { increment(name: string): void };
 * if (isRetryBudgetExhaustedError(error)) metrics.increment('retry.budget_spent');
 * ```
 */
export class RetryBudgetExhaustedError extends BulwarkError {
  readonly code = 'RETRY_BUDGET_EXHAUSTED' as const;
  /** How many calls were made before the budget refused the next retry. */
  readonly attempts: number;
  /** Every attempt's error, in order; the last is also `cause`. */
  readonly errors: readonly unknown[];

  constructor(attempts: number, errors: readonly unknown[]) {
    const last = errors[errors.length - 1];
    super(
      `Not retrying: the retry budget is spent (too many retries for the recent calls) after ${attempts} attempt${attempts === 1 ? '' : 's'}; the last error was ${describeError(last)}.`,
      { cause: last, transient: false },
    );
    this.attempts = attempts;
    this.errors = errors;
  }

  override toJSON(): Record<string, unknown> {
    const out = super.toJSON();
    out.errors = this.errors.map(describeError);
    return out;
  }
}

/** True when `value` is a {@link RetryBudgetExhaustedError}. */
export const isRetryBudgetExhaustedError = errorGuard<RetryBudgetExhaustedError>('RETRY_BUDGET_EXHAUSTED');
