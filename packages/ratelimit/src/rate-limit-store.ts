import type { LearnOutcome, LearnParams, Lesson } from './internal/learning.js';
import type { CompiledLimit } from './limit.js';

/** @internal The limits of one limiter, compiled once; stores key their state by `id` and the caller's key. */
export interface LimitSet {
  readonly id: string;
  readonly limits: readonly CompiledLimit[];
  /** Set when the limiter learns the server's limit: decisions then also follow the learned state. */
  readonly learn?: LearnParams | undefined;
}

/** @internal What a store answers for one decision. */
export interface StoreDecision {
  /** Whether the units were taken. */
  readonly allowed: boolean;
  /** Units taken: `cost` normally, up to `take` when leasing; 0 when denied. */
  readonly granted: number;
  /** When denied, milliseconds until `cost` units could be taken (by the store's clock); else 0. */
  readonly retryAfterMs: number;
  /** Units left after this decision, on the most constrained limit (-1 while a server hint holds the key). */
  readonly remaining: number;
  /** The store's clock at the decision, milliseconds since the Unix epoch (Redis `TIME` for Redis). */
  readonly decidedAt: number;
  /** Always `false` from a store; the limiter sets it on decisions made by its fallback. */
  readonly fallback: boolean;
  /** Learning only: this call was a first contact (the key was unknown; the others now wait for its response). */
  readonly first?: boolean;
}

/**
 * Where a rate limiter keeps its counts: {@link memoryRateLimitStore} for one process, {@link redisRateLimitStore} for
 * many. The methods are the limiter's business; treat a store as an opaque handle you pass to
 * {@link rateLimiter}. One store may serve several limiters: their state is kept apart by their limits.
 */
export interface RateLimitStore {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** @internal Takes `cost` units (or up to `take`, at least `cost`) from every limit of the set at once, or none. */
  decide(key: string, set: LimitSet, cost: number, take: number): StoreDecision | Promise<StoreDecision>;
  /** @internal Holds `key` back for `ms` milliseconds (extends, never shortens, a hold). */
  hold(key: string, ms: number): void | Promise<void>;
  /** @internal Counts one more header-less 429/503 on `key` and holds it for the resulting backoff; returns the hold in ms. */
  strike(key: string, baseMs: number, maxMs: number): number | Promise<number>;
  /** @internal Forgets the strikes of `key` after a success. */
  clearStrikes(key: string): void | Promise<void>;
  /** @internal Applies what one response taught about `key` (its hold, strikes and learned rate), at once. */
  learn(key: string, lesson: Lesson): LearnOutcome | Promise<LearnOutcome>;
}
