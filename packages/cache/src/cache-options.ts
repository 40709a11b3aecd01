import type { Clock } from '@bulwark/core';
import type { SealingKey } from './internal/seal.js';
import type { RedisCacheStore } from './redis-cache-store.js';

/** What the loader receives. */
export interface LoaderContext {
  /** The key being loaded. */
  readonly key: string;
  /**
   * Aborted when the load is abandoned, after `loaderTimeoutMs`, with core's `TimeoutError` as its
   * reason: pass it on (`fetch(url, { signal })`) so an abandoned load stops. It belongs to the load,
   * not to a caller: a caller whose own `signal` aborts leaves the load running for the others.
   */
  readonly signal: AbortSignal;
}

/** Computes the value for a key on a miss. */
export type CacheLoader<T> = (context: LoaderContext) => PromiseLike<T> | T;

/** Per-entry windows; every field falls back to the cache's default. */
export interface EntryOptions {
  /** How long a value is fresh, in ms (before jitter). @default the cache's `ttlMs` */
  readonly ttlMs?: number;
  /** After freshness ends, how long the stale value is served at once while one refresh runs, in ms. @default the cache's */
  readonly staleWhileRevalidateMs?: number;
  /** After freshness ends, how long the stale value is served when the loader fails, in ms. @default the cache's */
  readonly staleIfErrorMs?: number;
  /** Tags for {@link Cache.invalidateTag}. @default [] */
  readonly tags?: readonly string[];
}

/** Options of {@link Cache.getOrSet}. */
export interface GetOrSetOptions<T> extends EntryOptions {
  /** How long a negative answer (see `isNegative`) is fresh, in ms. @default the cache's `negativeTtlMs` */
  readonly negativeTtlMs?: number;
  /** Which answers are negative ("not found", "invalid"). @default the cache's (`null` or `undefined`) */
  readonly isNegative?: (value: T) => boolean;
  /**
   * How long the load this call starts may run, in ms, before it is abandoned (see the cache's
   * `loaderTimeoutMs`). A call that finds a load of its key already running waits on that load, and
   * its deadline. @default the cache's `loaderTimeoutMs`
   */
  readonly loaderTimeoutMs?: number;
  /**
   * Stops this caller's wait: the call rejects with the signal's reason. The load itself carries on
   * for the other callers waiting on it, and its result is still stored.
   */
  readonly signal?: AbortSignal;
}

/** AES-256-GCM sealing of values written to Redis. */
export interface CacheSealingOptions {
  /** Keys by id; the first seals, all open. At least one; each key 32 bytes, ids without `:`. */
  readonly keys: readonly SealingKey[];
}

/** Options of {@link cache}. */
export interface CacheOptions {
  /** Name for events and metrics. @default 'cache' */
  readonly name?: string;
  /** Default freshness, in ms. @default 60000 */
  readonly ttlMs?: number;
  /** Default stale-while-revalidate window, in ms. @default 0 */
  readonly staleWhileRevalidateMs?: number;
  /** Default stale-if-error window, in ms. @default 0 */
  readonly staleIfErrorMs?: number;
  /** Default freshness of negative answers, in ms. @default ttlMs */
  readonly negativeTtlMs?: number;
  /** Default test for negative answers. @default value === null || value === undefined */
  readonly isNegative?: (value: unknown) => boolean;
  /**
   * How long a loader may run, in ms, before its load is abandoned: every caller waiting on it gets
   * core's `TimeoutError` (or the stale value, within `staleIfErrorMs`), the loader's `signal`
   * aborts, its late result is dropped, and the next caller of the key starts a fresh load. Without
   * it, a loader that never settles would hold its key for every caller. Long enough that a loader
   * on the toolkit's own deadlines (`@bulwark/http`'s `standard()`: 10 s an attempt, 30 s in all) is
   * never cut; set it to the longest your loader may take, or `Infinity` for no deadline.
   * @default 60000
   */
  readonly loaderTimeoutMs?: number;
  /** Each TTL is shortened by up to this fraction at random, so entries written together expire apart (0 to 1). @default 0.1 */
  readonly ttlJitter?: number;
  /** XFetch's beta: how eagerly a fresh value is refreshed before it expires, scaled by the loader's duration; 0 turns it off. @default 1 */
  readonly earlyRefreshBeta?: number;
  /** Keep an in-memory tier (L1). @default true */
  readonly memory?: boolean;
  /** L1 bound in entries. @default 10000 */
  readonly maxEntries?: number;
  /** L1 bound in estimated bytes. @default 67108864 (64 MiB) */
  readonly maxBytes?: number;
  /** Redis tier (L2): a store made by {@link redisCacheStore}. @default none: memory only */
  readonly store?: RedisCacheStore;
  /** Seal values written to Redis. @default none */
  readonly sealing?: CacheSealingOptions;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** Random source in [0, 1) for jitter and early refresh. @default Math.random */
  readonly random?: () => number;
}
