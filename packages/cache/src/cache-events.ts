import type { BulwarkError, EventPayload, StoreErrorEvent } from '@bulwark/core';

/** Which tier answered a hit: `l1` (this process's memory) or `l2` (Redis). */
export type CacheTier = 'l1' | 'l2';

/** Why an entry left memory: `capacity` (the LRU bound), `expired` (past every window), `invalidated` (by key, tag, namespace or resync). */
export type EvictReason = 'capacity' | 'expired' | 'invalidated';

/** Payload of {@link Cache.onHit}. */
export interface CacheHitEvent extends EventPayload {
  readonly key: string;
  readonly tier: CacheTier;
}
/** Payload of {@link Cache.onMiss}: neither tier held a fresh value, the loader runs. */
export interface CacheMissEvent extends EventPayload {
  readonly key: string;
}
/** Payload of {@link Cache.onStale}: a stale value was served. */
export interface CacheStaleEvent extends EventPayload {
  readonly key: string;
  /** `revalidating`: within `staleWhileRevalidateMs`, a refresh runs behind it; `loader-error`: the loader failed within `staleIfErrorMs`. */
  readonly reason: 'revalidating' | 'loader-error';
  /** How long ago the value stopped being fresh, in milliseconds. */
  readonly ageMs: number;
}
/** Payload of {@link Cache.onRefresh}: a background refresh started. */
export interface CacheRefreshEvent extends EventPayload {
  readonly key: string;
  /** `stale`: stale-while-revalidate; `early`: probabilistic early refresh of a fresh value. */
  readonly reason: 'stale' | 'early';
}
/** Payload of {@link Cache.onLoaderError}. */
export interface CacheLoaderErrorEvent extends EventPayload {
  readonly key: string;
  readonly error: unknown;
  /** Whether a stale value was served instead of failing the call. */
  readonly servedStale: boolean;
}
/** Payload of {@link Cache.onStoreError}: Redis failed an operation (or a stored value was rejected); the cache carried on without it. */
export interface CacheStoreErrorEvent extends StoreErrorEvent {
  /** A `StoreUnavailableError` (from core) or a {@link CacheIntegrityError}. */
  readonly error: BulwarkError;
  /** `read`, `write`, `lease`, `release`, `invalidate`, `subscribe`, `close` or `guard`. */
  readonly operation: string;
}
/** Payload of {@link Cache.onEvict}: an entry left memory. */
export interface CacheEvictEvent extends EventPayload {
  readonly key: string;
  /** `capacity`: LRU bound; `expired`: past every window; `invalidated`: by key, tag, namespace or resync. */
  readonly reason: EvictReason;
}
