import { EventEmitter, type BulwarkError } from '@bulwark/core';
import type {
  CacheEvictEvent,
  CacheHitEvent,
  CacheLoaderErrorEvent,
  CacheMissEvent,
  CacheRefreshEvent,
  CacheStaleEvent,
  CacheStoreErrorEvent,
  CacheTier,
  EvictReason,
} from '../cache-events.js';

/**
 * What the cache tells the world: one method per thing that happens, each counting it (for
 * `stats()`) and emitting its event when anyone listens. The emitters stay here; the cache exposes
 * their subscribe side only.
 */
export class Reporter {
  readonly name: string;
  readonly hit = new EventEmitter<CacheHitEvent>();
  readonly miss = new EventEmitter<CacheMissEvent>();
  readonly stale = new EventEmitter<CacheStaleEvent>();
  readonly refresh = new EventEmitter<CacheRefreshEvent>();
  readonly loaderError = new EventEmitter<CacheLoaderErrorEvent>();
  readonly storeError = new EventEmitter<CacheStoreErrorEvent>();
  readonly evict = new EventEmitter<CacheEvictEvent>();

  l1Hits = 0;
  l2Hits = 0;
  misses = 0;
  staleServed = 0;
  refreshes = 0;
  loads = 0;
  loaderErrors = 0;
  storeErrors = 0;
  integrityErrors = 0;
  evictions = 0;

  constructor(name: string) {
    this.name = name;
  }

  hitIn(tier: CacheTier, key: string): void {
    if (tier === 'l1') this.l1Hits++;
    else this.l2Hits++;
    if (this.hit.hasListeners) this.hit.emit({ name: this.name, key, tier });
  }

  missed(key: string): void {
    this.misses++;
    if (this.miss.hasListeners) this.miss.emit({ name: this.name, key });
  }

  servedStale(key: string, reason: CacheStaleEvent['reason'], ageMs: number): void {
    this.staleServed++;
    if (this.stale.hasListeners) this.stale.emit({ name: this.name, key, reason, ageMs });
  }

  refreshing(key: string, reason: CacheRefreshEvent['reason']): void {
    this.refreshes++;
    if (this.refresh.hasListeners) this.refresh.emit({ name: this.name, key, reason });
  }

  loaderFailed(key: string, error: unknown, servedStale: boolean): void {
    this.loaderErrors++;
    if (this.loaderError.hasListeners) this.loaderError.emit({ name: this.name, key, error, servedStale });
  }

  /** Counts a store failure; `error` is made only when someone listens. */
  storeFailed(operation: string, error: () => BulwarkError): void {
    this.storeErrors++;
    if (this.storeError.hasListeners) this.storeError.emit({ name: this.name, operation, error: error() });
  }

  evicted(key: string, reason: EvictReason): void {
    this.evictions++;
    if (this.evict.hasListeners) this.evict.emit({ name: this.name, key, reason });
  }
}
