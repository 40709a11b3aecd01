export { rateLimiter } from './rate-limiter.js';
export type {
  AcquireOptions,
  BackoffOptions,
  LeaseOptions,
  ObserveResult,
  RateLimitDecision,
  RateLimitedEvent,
  RateLimiter,
  RateLimiterOptions,
  ServerHintEvent,
  StoreFallbackEvent,
} from './rate-limiter.js';
export type { LimitAlgorithm, LimitOptions } from './limit.js';
export type { RateLimitStore } from './rate-limit-store.js';
export { memoryStore } from './memory-store.js';
export type { MemoryStore, MemoryStoreOptions } from './memory-store.js';
export { redisStore } from './redis-store.js';
export type { RedisClientLike, RedisStore, RedisStoreOptions } from './redis-store.js';
export { RateLimitedError, isRateLimitedError } from './rate-limited-error.js';
export type { RateLimitedReason } from './rate-limited-error.js';
export { StoreUnavailableError, isStoreUnavailableError } from './store-unavailable-error.js';
