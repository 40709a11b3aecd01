export { cache } from './cache.js';
export type {
  Cache,
  CacheEvictEvent,
  CacheHitEvent,
  CacheL2ErrorEvent,
  CacheLoader,
  CacheLoaderErrorEvent,
  CacheMissEvent,
  CacheOptions,
  CacheRedisOptions,
  CacheRefreshEvent,
  CacheSealingOptions,
  CacheStaleEvent,
  CacheStats,
  CacheTier,
  EntryOptions,
  GetOrSetOptions,
  LoaderContext,
  SealedCache,
} from './cache.js';
export type { CacheRedisClient } from './redis-client.js';
export type { SealingKey } from './internal/seal.js';
export type { EvictReason } from './internal/lru.js';
export { CacheL2UnavailableError, isCacheL2UnavailableError } from './cache-l2-unavailable-error.js';
export { CacheIntegrityError, isCacheIntegrityError } from './cache-integrity-error.js';
export { CacheInvalidationError, isCacheInvalidationError } from './cache-invalidation-error.js';
export { UnserializableValueError, isUnserializableValueError } from './unserializable-value-error.js';
