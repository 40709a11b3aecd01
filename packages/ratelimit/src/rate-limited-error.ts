import { BulwarkError, errorGuard, quote } from '@bulwark/core';

/**
 * Why a call was refused:
 * - `limit`: the limit (or a server hint) allows the call later than the caller would wait;
 * - `timeout`: the call waited `maxWaitMs` in the queue behind others without its turn coming;
 * - `queue-full`: too many calls were already waiting.
 */
export type RateLimitedReason = 'limit' | 'timeout' | 'queue-full';

/**
 * A call was refused by a rate limiter: it would have had to wait longer than `maxWaitMs`, or the
 * wait queue was full. Transient; `retryAfterMs` says when the limit allows the call (for `timeout`
 * and `queue-full`, an estimate from the queue's length and the slowest limit's rate). The message
 * names the key, never a secret.
 *
 * @example
 * ```ts
 * declare function reply(status: number, body: object): void;
 * const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 } });
 * async function handle(): Promise<void> {
 *   try {
 *     await limiter.acquire('api', { maxWaitMs: 2_000 });
 *   } catch (error) {
 *     if (isRateLimitedError(error)) return reply(503, { retryAfterMs: error.retryAfterMs });
 *     throw error;
 *   }
 *   reply(200, {});
 * }
 * ```
 */
export class RateLimitedError extends BulwarkError {
  readonly code = 'RATE_LIMITED' as const;
  /** The key that was limited. */
  readonly key: string;
  /** Why. */
  readonly reason: RateLimitedReason;
  /** How long, in milliseconds, until the call could be allowed. */
  declare readonly retryAfterMs: number;

  constructor(key: string, retryAfterMs: number, reason: RateLimitedReason, detail: string) {
    super(`Rate limited on ${quote(key)}: ${detail}; retry after ${retryAfterMs} ms.`, { transient: true, retryAfterMs });
    this.key = key;
    this.reason = reason;
  }
}

/** True when `value` is a {@link RateLimitedError} (from any copy of the package). */
export const isRateLimitedError = errorGuard<RateLimitedError>('RATE_LIMITED');
