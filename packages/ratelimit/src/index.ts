export { rateLimiter } from './rate-limiter.js';
export type {
  AcquireOptions,
  BackoffOptions,
  LearnOptions,
  LeaseOptions,
  LimitChangeReason,
  ObserveResult,
  RateLimitChangeEvent,
  RateLimitDecision,
  RateLimitRejectedEvent,
  RateLimitStoreErrorEvent,
  RateLimiter,
  RateLimiterOptions,
  ServerHintEvent,
} from './rate-limiter.js';
export type { LimitAlgorithm, LimitOptions } from './limit.js';
export type { RateLimitStore } from './rate-limit-store.js';
export { memoryRateLimitStore } from './memory-store.js';
export type { MemoryRateLimitStore, MemoryRateLimitStoreOptions } from './memory-store.js';
export { redisRateLimitStore } from './redis-rate-limit-store.js';
export type { RedisRateLimitStore, RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
export { RateLimitedError, isRateLimitedError } from './rate-limited-error.js';
export type { RateLimitedReason } from './rate-limited-error.js';
