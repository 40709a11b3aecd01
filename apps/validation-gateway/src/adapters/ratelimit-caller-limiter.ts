import type { RateLimiter } from '@bulwark/ratelimit';
import type { CallerLimitDecision, CallerLimiter } from '../ports/caller-limiter.js';

/** Adapter: {@link CallerLimiter} over a `@bulwark/ratelimit` limiter keyed by caller. */
export class RateLimitCallerLimiter implements CallerLimiter {
  readonly #limiter: RateLimiter;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(limiter: RateLimiter, limit: number, windowMs: number) {
    this.#limiter = limiter;
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  async take(callerId: string): Promise<CallerLimitDecision> {
    const decision = await this.#limiter.tryAcquire(callerId);
    return {
      allowed: decision.allowed,
      retryAfterMs: decision.retryAfterMs,
      remaining: Math.max(0, decision.remaining),
      limit: this.#limit,
      windowMs: this.#windowMs,
    };
  }
}
