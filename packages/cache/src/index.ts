export { cache } from './cache.js';
export type {
  Cache,
  CacheEvictEvent,
  CacheHitEvent,
  CacheLoader,
  CacheLoaderErrorEvent,
  CacheMissEvent,
  CacheOptions,
  CacheRefreshEvent,
  CacheSealingOptions,
  CacheStaleEvent,
  CacheStats,
  CacheStoreErrorEvent,
  CacheTier,
  EntryOptions,
  GetOrSetOptions,
  LoaderContext,
  SealedCache,
} from './cache.js';
export { redisCacheStore } from './redis-cache-store.js';
export type { RedisCacheStore, RedisCacheStoreOptions } from './redis-cache-store.js';
export type { SealingKey } from './internal/seal.js';
export type { EvictReason } from './internal/lru.js';
export { CacheIntegrityError, isCacheIntegrityError } from './cache-integrity-error.js';
export { CacheInvalidationError, isCacheInvalidationError } from './cache-invalidation-error.js';
export { UnserializableValueError, isUnserializableValueError } from './unserializable-value-error.js';
