import { BulwarkError, describeError, errorGuard } from '@bulwark/core';

/** Why a retry policy stopped with {@link RetriesExhaustedError}. */
export type ExhaustedReason = 'max-attempts' | 'deadline';

/** What {@link RetriesExhaustedError} is built from. */
export interface RetriesExhaustedErrorOptions {
  /** Why the policy stopped. */
  readonly reason: ExhaustedReason;
  /** Every attempt's error, in order; the last one becomes `cause`. */
  readonly errors: readonly unknown[];
  /** How many calls were made (hedged attempts included). */
  readonly attempts: number;
  /** The limit in force: `maxAttempts`, or `maxElapsedMs` for a deadline. */
  readonly limit: number;
  /** For a deadline: the wait that would have crossed it, in milliseconds. */
  readonly delayMs?: number;
  /** For a deadline: whether the wait came from the server (`retryAfterMs`). */
  readonly serverHint?: boolean;
  /**
   * For a deadline: what set `limit` — `maxElapsedMs`, or `'timer'` when that is longer than a
   * timer can wait (2_147_483_647 ms, about 24.8 days; `Infinity` included).
   * @default 'maxElapsedMs'
   */
  readonly limitedBy?: 'maxElapsedMs' | 'timer';
}

/**
 * A retry policy gave up on a failure it would otherwise retry: every attempt failed
 * (`reason: 'max-attempts'`), or the next wait would have crossed `maxElapsedMs`
 * (`reason: 'deadline'`, including a server's `retryAfterMs` that reaches past it).
 *
 * `errors` holds every attempt's error in order (like `AggregateError`), `cause` the last one, and
 * `retryAfterMs` the last error's server hint when it had one, so the caller can schedule a later try.
 *
 * Not transient: this policy already retried, and an outer retry would multiply the load on a
 * dependency that is failing.
 *
 * @example
 * ```ts
 * declare function call(): Promise<void>;
 * declare function report(attempts: number, cause: unknown): void;
 * const policy = retry();
 * try { await policy.execute(call) }
 * catch (error) { if (isRetriesExhaustedError(error)) report(error.attempts, error.cause) }
 * ```
 */
export class RetriesExhaustedError extends BulwarkError {
  readonly code = 'RETRIES_EXHAUSTED' as const;
  /** Why the policy stopped. */
  readonly reason: ExhaustedReason;
  /** How many calls were made (hedged attempts included). */
  readonly attempts: number;
  /** Every attempt's error, in order; the last is also `cause`. */
  readonly errors: readonly unknown[];

  constructor(options: RetriesExhaustedErrorOptions) {
    const last = options.errors[options.errors.length - 1];
    const hint = (last as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    const attempts = `${options.attempts} attempt${options.attempts === 1 ? '' : 's'}`;
    const cross =
      options.limitedBy === 'timer'
        ? `be longer than a timer can wait (${options.limit} ms, about 24.8 days)`
        : `cross the ${options.limit} ms deadline (maxElapsedMs)`;
    let why: string;
    if (options.reason === 'max-attempts') {
      why = `all ${attempts} failed (maxAttempts is ${options.limit})`;
    } else if (options.serverHint === true) {
      why = `after ${attempts}, the server asked to wait ${options.delayMs} ms (retryAfterMs), which would ${cross}`;
    } else {
      why = `after ${attempts}, the next wait of ${options.delayMs} ms would ${cross}`;
    }
    super(`Gave up retrying: ${why}; the last error was ${describeError(last)}.`, {
      cause: last,
      transient: false,
      ...(typeof hint === 'number' ? { retryAfterMs: hint } : {}),
    });
    this.reason = options.reason;
    this.attempts = options.attempts;
    this.errors = options.errors;
  }

  override toJSON(): Record<string, unknown> {
    const out = super.toJSON();
    out.errors = this.errors.map(describeError);
    return out;
  }
}

/** True when `value` is a {@link RetriesExhaustedError}. */
export const isRetriesExhaustedError = errorGuard<RetriesExhaustedError>('RETRIES_EXHAUSTED');
