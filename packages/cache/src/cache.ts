import {
  expectAbortSource,
  expectClock,
  expectFunction,
  expectInteger,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  invalidStore,
  knownOptions,
  systemClock,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Event,
  type Policy,
  type PolicyFunction,
} from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { randomBytes } from 'node:crypto';
import type {
  CacheEvictEvent,
  CacheHitEvent,
  CacheLoaderErrorEvent,
  CacheMissEvent,
  CacheRefreshEvent,
  CacheStaleEvent,
  CacheStoreErrorEvent,
} from './cache-events.js';
import type { CacheLoader, CacheOptions, CacheSealingOptions, EntryOptions, GetOrSetOptions } from './cache-options.js';
import { CacheClosedError } from './cache-closed-error.js';
import { InvalidationChannel } from './internal/invalidation-channel.js';
import { InvalidationLog, type Scope } from './internal/invalidation-log.js';
import { MemoryTier } from './internal/memory-tier.js';
import { ReadPath, type Loader } from './internal/read-path.js';
import { RecomputeLease } from './internal/recompute-lease.js';
import { RedisTier } from './internal/redis-tier.js';
import { Reporter } from './internal/reporter.js';
import { checkSealingKeys, type SealingKey } from './internal/seal.js';
import { checkEntryOptions, checkKey, defaultIsNegative, LOADER_TIMEOUT_BOUNDS, NO_TAGS, WINDOW_BOUNDS } from './internal/windows.js';
import { redisCacheSettings } from './redis-cache-store.js';

/** Counters since the cache was made, plus the memory tier's current size. */
export interface CacheStats {
  readonly hits: number;
  readonly l1Hits: number;
  readonly l2Hits: number;
  readonly misses: number;
  readonly staleServed: number;
  readonly refreshes: number;
  /** Loader calls made by this process. */
  readonly loads: number;
  readonly loaderErrors: number;
  /** Redis operations that failed (and stored values rejected), each reported by `onStoreError`. */
  readonly storeErrors: number;
  /** Stored values rejected as tampered or unreadable (also counted in `storeErrors`). */
  readonly integrityErrors: number;
  readonly evictions: number;
  /** Entries in memory now. */
  readonly entries: number;
  /** Estimated bytes in memory now. */
  readonly bytes: number;
}

/** A two-tier cache. Create one with {@link cache}. */
export interface Cache {
  readonly name: string;
  /**
   * The value for `key`: from memory at once when fresh, else from Redis; otherwise runs `loader`
   * once however many callers wait (and, with Redis, once across instances), stores and returns it.
   * Serves stale values within the stale windows. Rejects with the loader's error when there is
   * nothing to fall back on — core's `TimeoutError` for a loader that has not settled within
   * `loaderTimeoutMs`, whose load is then abandoned (its `signal` aborts) so that the next call loads
   * afresh; with a `TypeError` or {@link UnserializableValueError} on bad input.
   */
  getOrSet<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): Promise<T>;
  /** The neverthrow twin of {@link Cache.getOrSet}. */
  getOrSetResult<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): ResultAsync<T, BulwarkError>;
  /**
   * Cache-aside as a core {@link Policy}, to compose with `pipeline`: `execute(fn, signal)` is
   * `getOrSet(key, fn, { signal })`. The caller's signal stops its own wait; `fn` runs on a context
   * of its own, since its result is shared with every other caller: the load's, whose `signal`
   * aborts when the load is abandoned after `loaderTimeoutMs`.
   * @example
   * ```ts
   * import { circuitBreaker } from '@bulwark/breaker';
   * import { pipeline } from '@bulwark/core';
   * import { retry } from '@bulwark/retry';
   * declare function fetchUser(id: string, signal: AbortSignal): Promise<{ name: string }>;
   * const users = cache({ ttlMs: 60_000 });
   * const id = '42';
   * const user = await pipeline(users.policy(`user:${id}`), circuitBreaker(), retry()).execute(({ signal }) => fetchUser(id, signal));
   * ```
   */
  policy(key: string, options?: GetOrSetOptions<any>): Policy;
  /** A fresh value from memory or Redis, or `undefined`. */
  get<T>(key: string): Promise<T | undefined>;
  /** The neverthrow twin of {@link Cache.get}. */
  getResult<T>(key: string): ResultAsync<T | undefined, BulwarkError>;
  /** What memory holds for `key`, fresh or within a stale window, without touching Redis or recency. */
  peek<T>(key: string): T | undefined;
  /** Stores a value in every tier. */
  set<T>(key: string, value: T, options?: EntryOptions): Promise<void>;
  /** The neverthrow twin of {@link Cache.set}. */
  setResult<T>(key: string, value: T, options?: EntryOptions): ResultAsync<void, BulwarkError>;
  /** Drops `key` everywhere; other instances drop it from memory through pub/sub. */
  delete(key: string): Promise<void>;
  /** The neverthrow twin of {@link Cache.delete}. */
  deleteResult(key: string): ResultAsync<void, BulwarkError>;
  /** Drops every entry tagged `tag`, everywhere. */
  invalidateTag(tag: string): Promise<void>;
  /** The neverthrow twin of {@link Cache.invalidateTag}. */
  invalidateTagResult(tag: string): ResultAsync<void, BulwarkError>;
  /** Drops a whole generation: every entry written before, everywhere. */
  bumpNamespace(): Promise<void>;
  /** The neverthrow twin of {@link Cache.bumpNamespace}. */
  bumpNamespaceResult(): ResultAsync<void, BulwarkError>;
  /**
   * Resolves once the invalidation channel is subscribed (at once without Redis), or once the first
   * attempt has failed (reported through `onStoreError`, within 5 s); the cache then subscribes when
   * its connection comes. Never rejects.
   */
  ready(): Promise<void>;
  /** Counters and sizes. */
  stats(): CacheStats;
  /**
   * Unsubscribes and closes the connection the cache opened; the caller's client stays open. Idempotent.
   * It does not wait for a subscription that has not come: a connection still trying is dropped at once.
   * Afterwards every other method but `ready()` and `stats()` refuses with {@link CacheClosedError}.
   * A call already running is not interrupted (abort its `signal` for that) and is not waited for: it
   * settles as it would have, its Redis reads and writes from then on refused as a store failure.
   */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
  readonly onHit: Event<CacheHitEvent>;
  readonly onMiss: Event<CacheMissEvent>;
  readonly onStale: Event<CacheStaleEvent>;
  readonly onRefresh: Event<CacheRefreshEvent>;
  readonly onLoaderError: Event<CacheLoaderErrorEvent>;
  /**
   * Redis failed an operation, or a value read from it was rejected; the cache carried on without it.
   * Each failed operation is one event, but for the invalidation subscription: once per outage.
   */
  readonly onStoreError: Event<CacheStoreErrorEvent>;
  readonly onEvict: Event<CacheEvictEvent>;
}

/** A {@link Cache} whose sealing keys can be rotated at run time. */
export interface SealedCache extends Cache {
  /** Replaces the sealing keys: the first seals from now on, all of them open. Validated like the option. */
  setSealingKeys(keys: readonly SealingKey[]): void;
}

const READY: Promise<void> = Promise.resolve();

/**
 * How long a loader may run by default: a loader that never settles frees its key within a minute,
 * while one built on the toolkit's own deadlines (`@bulwark/http`'s `standard()`, 30 s in all with
 * its retries) is never cut.
 */
const DEFAULT_LOADER_TIMEOUT_MS = 60_000;

/** A method as its caller named it, for errors: a Result twin by its own name, a policy's `execute` as `policy().execute`. */
type CacheMethod =
  | 'getOrSet'
  | 'getOrSetResult'
  | 'policy'
  | 'policy().execute'
  | 'policy().executeResult'
  | 'get'
  | 'getResult'
  | 'peek'
  | 'set'
  | 'setResult'
  | 'delete'
  | 'deleteResult'
  | 'invalidateTag'
  | 'invalidateTagResult'
  | 'bumpNamespace'
  | 'bumpNamespaceResult'
  | 'setSealingKeys';

/**
 * The public face of a cache: it checks arguments and hands each call to the part that does it —
 * reads and writes to the read path (`internal/read-path.ts`), invalidations to the log and the
 * channel, sealing keys to the Redis tier.
 */
class TwoTierCache implements SealedCache {
  readonly name: string;
  readonly #report: Reporter;
  readonly #memory: MemoryTier | undefined;
  readonly #log: InvalidationLog;
  readonly #tier: RedisTier | undefined;
  readonly #channel: InvalidationChannel | undefined;
  readonly #reads: ReadPath;
  #closed = false;

  readonly onHit: Event<CacheHitEvent>;
  readonly onMiss: Event<CacheMissEvent>;
  readonly onStale: Event<CacheStaleEvent>;
  readonly onRefresh: Event<CacheRefreshEvent>;
  readonly onLoaderError: Event<CacheLoaderErrorEvent>;
  readonly onStoreError: Event<CacheStoreErrorEvent>;
  readonly onEvict: Event<CacheEvictEvent>;

  constructor(o: CacheOptions) {
    this.name = o.name ?? 'cache';
    const report = (this.#report = new Reporter(this.name));
    this.onHit = report.hit.event;
    this.onMiss = report.miss.event;
    this.onStale = report.stale.event;
    this.onRefresh = report.refresh.event;
    this.onLoaderError = report.loaderError.event;
    this.onStoreError = report.storeError.event;
    this.onEvict = report.evict.event;

    const clock = o.clock ?? systemClock;
    const ttlMs = o.ttlMs ?? 60_000;
    this.#memory =
      o.memory === false
        ? undefined
        : new MemoryTier(o.maxEntries ?? 10_000, o.maxBytes ?? 64 * 1024 * 1024, (e, reason) => report.evicted(e.key, reason));
    this.#log = new InvalidationLog(this.#memory);
    const settings = redisCacheSettings(o.store);
    let lease: RecomputeLease | undefined;
    if (settings !== undefined) {
      const instanceId = randomBytes(8).toString('hex');
      this.#tier = new RedisTier(settings, o.sealing?.keys, clock, report);
      lease = new RecomputeLease(this.#tier, clock, instanceId, settings.leaseMs, settings.leaseWaitMs, settings.leasePollMs);
      this.#channel = new InvalidationChannel(this.#tier, this.#log, settings.subscriber, clock, instanceId);
    }
    this.#reads = new ReadPath(this.#memory, this.#tier, lease, this.#log, report, clock, {
      defaults: {
        ttlMs,
        swrMs: o.staleWhileRevalidateMs ?? 0,
        sieMs: o.staleIfErrorMs ?? 0,
        negativeTtlMs: o.negativeTtlMs ?? ttlMs,
        tags: NO_TAGS,
        isNegative: o.isNegative ?? defaultIsNegative,
        loaderTimeoutMs: o.loaderTimeoutMs ?? DEFAULT_LOADER_TIMEOUT_MS,
      },
      jitter: o.ttlJitter ?? 0.1,
      beta: o.earlyRefreshBeta ?? 1,
      random: o.random ?? Math.random,
    });
  }

  // Each method and its Result twin share one body, given the name the caller used, so that an
  // error names the method that was called (`getResult()`, not `get()`).

  getOrSet<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): Promise<T> {
    return this.#getOrSet('getOrSet', key, loader, options);
  }

  getOrSetResult<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): ResultAsync<T, BulwarkError> {
    return toResult(this.#getOrSet('getOrSetResult', key, loader, options));
  }

  #getOrSet<T>(method: CacheMethod, key: string, loader: Loader, options: GetOrSetOptions<T> | undefined): Promise<T> {
    const bad = this.#refuseIfClosed(method) ?? checkKey('key', key) ?? (typeof loader === 'function' ? undefined : invalidOption('loader', loader, 'a function')) ?? checkEntryOptions(options, method);
    if (bad !== undefined) return Promise.reject(bad);
    return this.#reads.getOrSet(key, loader, options) as Promise<T>;
  }

  policy(key: string, options?: GetOrSetOptions<any>): Policy {
    const bad = this.#refuseIfClosed('policy') ?? checkKey('key', key) ?? checkEntryOptions(options, 'policy');
    if (bad !== undefined) throw bad;
    const run = <T>(method: CacheMethod, fn: PolicyFunction<T>, source?: AbortSource): Promise<T> => {
      if (typeof fn !== 'function') return Promise.reject(invalidOption('fn', fn, 'a function'));
      try {
        expectAbortSource('signal', source);
      } catch (error) {
        return Promise.reject(error);
      }
      const signal = source === undefined ? undefined : source instanceof AbortSignal ? source : source.signal;
      // The load is shared: `fn` runs on the load's own context (aborted when the load is
      // abandoned), not on the first caller's signal.
      return this.#getOrSet<T>(method, key, fn, signal === undefined ? options : { ...options, signal });
    };
    return {
      execute: (fn, signal) => run('policy().execute', fn, signal),
      executeResult: (fn, signal) => toResult(run('policy().executeResult', fn, signal)),
    };
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.#get('get', key);
  }

  getResult<T>(key: string): ResultAsync<T | undefined, BulwarkError> {
    return toResult(this.#get<T>('getResult', key));
  }

  #get<T>(method: CacheMethod, key: string): Promise<T | undefined> {
    const bad = this.#refuseIfClosed(method) ?? checkKey('key', key);
    if (bad !== undefined) return Promise.reject(bad);
    return this.#reads.get(key) as Promise<T | undefined>;
  }

  peek<T>(key: string): T | undefined {
    const bad = this.#refuseIfClosed('peek') ?? checkKey('key', key);
    if (bad !== undefined) throw bad;
    return this.#reads.peek(key) as T | undefined;
  }

  set<T>(key: string, value: T, options?: EntryOptions): Promise<void> {
    return this.#set('set', key, value, options);
  }

  setResult<T>(key: string, value: T, options?: EntryOptions): ResultAsync<void, BulwarkError> {
    return toResult(this.#set('setResult', key, value, options));
  }

  #set(method: CacheMethod, key: string, value: unknown, options: EntryOptions | undefined): Promise<void> {
    const bad = this.#refuseIfClosed(method) ?? checkKey('key', key) ?? checkEntryOptions(options, method);
    if (bad !== undefined) return Promise.reject(bad);
    return this.#reads.set(key, value, options);
  }

  delete(key: string): Promise<void> {
    return this.#delete('delete', key);
  }

  deleteResult(key: string): ResultAsync<void, BulwarkError> {
    return toResult(this.#delete('deleteResult', key));
  }

  #delete(method: CacheMethod, key: string): Promise<void> {
    const bad = this.#refuseIfClosed(method) ?? checkKey('key', key);
    if (bad !== undefined) return Promise.reject(bad);
    return this.#invalidate('key', key, (tier) => {
      const entryKey = tier.keys.entry(key);
      return [tier.keys.keyVersion(entryKey), entryKey];
    });
  }

  invalidateTag(tag: string): Promise<void> {
    return this.#invalidateTag('invalidateTag', tag);
  }

  invalidateTagResult(tag: string): ResultAsync<void, BulwarkError> {
    return toResult(this.#invalidateTag('invalidateTagResult', tag));
  }

  #invalidateTag(method: CacheMethod, tag: string): Promise<void> {
    const bad = this.#refuseIfClosed(method) ?? checkKey('tag', tag);
    if (bad !== undefined) return Promise.reject(bad);
    return this.#invalidate('tag', tag, (tier) => [tier.keys.tag(tag), undefined]);
  }

  bumpNamespace(): Promise<void> {
    return this.#bumpNamespace('bumpNamespace');
  }

  bumpNamespaceResult(): ResultAsync<void, BulwarkError> {
    return toResult(this.#bumpNamespace('bumpNamespaceResult'));
  }

  #bumpNamespace(method: CacheMethod): Promise<void> {
    const bad = this.#refuseIfClosed(method);
    if (bad !== undefined) return Promise.reject(bad);
    return this.#invalidate('namespace', undefined, (tier) => [tier.keys.namespace, undefined]);
  }

  /** Drops what memory holds at once, then raises the counter in Redis and announces it to every instance. */
  #invalidate(scope: Scope, target: string | undefined, counters: (tier: RedisTier) => [counter: string, entryKey: string | undefined]): Promise<void> {
    this.#log.record(scope, target ?? '', Infinity);
    const tier = this.#tier;
    if (tier === undefined) return READY;
    const [counter, entryKey] = counters(tier);
    return this.#channel!.announce(scope, target, counter, entryKey);
  }

  /**
   * After `close()` the cache hears no invalidations and its Redis tier is shut, so its memory may be
   * stale and Redis unreachable: each call is refused with an error that says so, rather than served
   * from memory or failed as if Redis were down.
   */
  #refuseIfClosed(method: CacheMethod): CacheClosedError | undefined {
    return this.#closed ? new CacheClosedError(this.name, method) : undefined;
  }

  ready(): Promise<void> {
    return this.#channel?.ready ?? READY;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#tier !== undefined) this.#tier.closed = true;
    await this.#channel?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  stats(): CacheStats {
    const r = this.#report;
    return {
      hits: r.l1Hits + r.l2Hits,
      l1Hits: r.l1Hits,
      l2Hits: r.l2Hits,
      misses: r.misses,
      staleServed: r.staleServed,
      refreshes: r.refreshes,
      loads: r.loads,
      loaderErrors: r.loaderErrors,
      storeErrors: r.storeErrors,
      integrityErrors: r.integrityErrors,
      evictions: r.evictions,
      entries: this.#memory?.size ?? 0,
      bytes: this.#memory?.bytes ?? 0,
    };
  }

  setSealingKeys(keys: readonly SealingKey[]): void {
    const closed = this.#refuseIfClosed('setSealingKeys');
    if (closed !== undefined) throw closed;
    const checked = checkSealingKeys(keys);
    this.#tier?.setSealingKeys(checked);
  }
}

const CACHE_OPTIONS = knownOptions<CacheOptions>('cache()', {
  name: [],
  ttlMs: ['ttl', 'expiresIn', 'maxAge'],
  staleWhileRevalidateMs: ['staleWhileRevalidate', 'swr'],
  staleIfErrorMs: ['staleIfError'],
  negativeTtlMs: [],
  isNegative: [],
  loaderTimeoutMs: ['loaderTimeout', 'timeout', 'timeoutMs'],
  ttlJitter: [],
  earlyRefreshBeta: [],
  memory: [],
  maxEntries: ['max', 'maxSize', 'size', 'capacity'],
  maxBytes: [],
  store: ['redis'],
  sealing: [],
  clock: [],
  random: [],
});

const SEALING_OPTIONS = knownOptions<CacheSealingOptions>('cache()', {
  keys: [],
});

/**
 * Creates a two-tier cache: memory (L1, LRU bounded by entries and bytes) and, with a `store`
 * from {@link redisCacheStore}, Redis (L2, on your node-redis 6 client). Either tier alone works;
 * a memory-only cache loads nothing of Redis.
 *
 * Gotchas: values must be JSON data (checked on write, see {@link UnserializableValueError}) and
 * come back deeply frozen; a Redis that is slow or gone never blocks a call longer than its
 * deadline — the cache carries on from memory and reports through `onStoreError`.
 *
 * @example
 * ```ts
 * declare const api: { validate(email: string): Promise<{ valid: boolean }> };
 * const address = 'ada@example.com';
 * const validations = cache({ ttlMs: 60_000, staleIfErrorMs: 3_600_000 });
 * const verdict = await validations.getOrSet(`email:${address}`, () => api.validate(address));
 * ```
 */
export function cache(options: CacheOptions = {}): SealedCache {
  expectOptions('options', options, CACHE_OPTIONS);
  const o = options;
  if (o.name !== undefined) expectName(o.name);
  if (o.ttlMs !== undefined) expectNumber('ttlMs', o.ttlMs, { above: 0, ...WINDOW_BOUNDS });
  if (o.negativeTtlMs !== undefined) expectNumber('negativeTtlMs', o.negativeTtlMs, { above: 0, ...WINDOW_BOUNDS });
  if (o.staleWhileRevalidateMs !== undefined) expectNumber('staleWhileRevalidateMs', o.staleWhileRevalidateMs, { min: 0, ...WINDOW_BOUNDS });
  if (o.staleIfErrorMs !== undefined) expectNumber('staleIfErrorMs', o.staleIfErrorMs, { min: 0, ...WINDOW_BOUNDS });
  if (o.isNegative !== undefined) expectFunction('isNegative', o.isNegative);
  if (o.loaderTimeoutMs !== undefined) expectNumber('loaderTimeoutMs', o.loaderTimeoutMs, LOADER_TIMEOUT_BOUNDS);
  if (o.ttlJitter !== undefined) expectNumber('ttlJitter', o.ttlJitter, { min: 0, max: 1 });
  if (o.earlyRefreshBeta !== undefined) expectNumber('earlyRefreshBeta', o.earlyRefreshBeta, { min: 0 });
  if (o.memory !== undefined && typeof o.memory !== 'boolean') throw invalidOption('memory', o.memory, 'a boolean');
  if (o.maxEntries !== undefined) expectInteger('maxEntries', o.maxEntries, { min: 1 });
  if (o.maxBytes !== undefined) expectInteger('maxBytes', o.maxBytes, { min: 1 });
  expectClock('clock', o.clock);
  if (o.random !== undefined) expectFunction('random', o.random);
  if (o.store !== undefined && redisCacheSettings(o.store) === undefined) {
    // A Redis client is named as one, with the store that wraps it; a string (most likely a Redis
    // URL, which may carry a password) is never quoted.
    throw invalidStore('store', o.store, 'a store from redisCacheStore(...)', 'redisCacheStore');
  }
  if (o.memory === false && o.store === undefined) throw invalidOption('store', o.store, 'a Redis tier when `memory` is false');
  if (o.sealing !== undefined) {
    expectOptions('sealing', o.sealing, SEALING_OPTIONS);
    if (o.store === undefined) throw invalidOption('sealing', o.sealing, 'used with `store` (only Redis values are sealed)');
  }
  let sealing: CacheSealingOptions | undefined;
  if (o.sealing !== undefined) sealing = { keys: checkSealingKeys(o.sealing.keys) };
  return new TwoTierCache(sealing === undefined ? o : { ...o, sealing });
}
