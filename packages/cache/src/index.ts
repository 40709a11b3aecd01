export { cache } from './cache.js';
export type { Cache, CacheStats, SealedCache } from './cache.js';
export type { CacheLoader, CacheOptions, CacheSealingOptions, EntryOptions, GetOrSetOptions, LoaderContext } from './cache-options.js';
export type {
  CacheEvictEvent,
  CacheHitEvent,
  CacheLoaderErrorEvent,
  CacheMissEvent,
  CacheRefreshEvent,
  CacheStaleEvent,
  CacheStoreErrorEvent,
  CacheTier,
  EvictReason,
} from './cache-events.js';
export { redisCacheStore } from './redis-cache-store.js';
export type { RedisCacheStore, RedisCacheStoreOptions } from './redis-cache-store.js';
export type { SealingKey } from './internal/seal.js';
export { CacheClosedError, isCacheClosedError } from './cache-closed-error.js';
export { CacheIntegrityError, isCacheIntegrityError } from './cache-integrity-error.js';
export { CacheInvalidationIncompleteError, isCacheInvalidationIncompleteError } from './cache-invalidation-incomplete-error.js';
export { UnserializableValueError, isUnserializableValueError } from './unserializable-value-error.js';
