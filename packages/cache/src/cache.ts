import {
  CallContext,
  EventEmitter,
  expectClock,
  expectFunction,
  expectInteger,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  isRedisCluster,
  knownOptions,
  redisScript,
  sleep,
  StoreUnavailableError,
  systemClock,
  timeout,
  toResult,
  type BulwarkError,
  type Clock,
  type Event,
  type EventPayload,
  type AbortSource,
  type Policy,
  type PolicyFunction,
  type RedisClient,
  type RedisConnection,
  type StoreErrorEvent,
  type TimeoutPolicy,
} from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { randomBytes } from 'node:crypto';
import { CacheIntegrityError, isCacheIntegrityError } from './cache-integrity-error.js';
import { CacheInvalidationError } from './cache-invalidation-error.js';
import { decodeEntry, encodeEntry } from './internal/envelope.js';
import { Entry } from './internal/entry.js';
import { L2Guard } from './internal/l2-guard.js';
import { KeyLayout } from './internal/key-layout.js';
import { Lru, type EvictReason } from './internal/lru.js';
import { isSealed, seal, unseal, type SealingKey } from './internal/seal.js';
import { deserialize, serialize } from './internal/serialize.js';
import { ReadMemo } from './internal/read-memo.js';
import { redisCacheSettings, type RedisCacheStore } from './redis-cache-store.js';

/** Which tier answered a hit: `l1` (this process's memory) or `l2` (Redis). */
export type CacheTier = 'l1' | 'l2';

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

/** What the loader receives. */
export interface LoaderContext {
  /** The key being loaded. */
  readonly key: string;
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

/** A two-tier cache. Create one with {@link cache}. */
export interface Cache {
  readonly name: string;
  /**
   * The value for `key`: from memory at once when fresh, else from Redis; otherwise runs `loader`
   * once however many callers wait (and, with Redis, once across instances), stores and returns it.
   * Serves stale values within the stale windows. Rejects with the loader's error when there is
   * nothing to fall back on; with a `TypeError` or {@link UnserializableValueError} on bad input.
   */
  getOrSet<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): Promise<T>;
  /** The neverthrow twin of {@link Cache.getOrSet}. */
  getOrSetResult<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): ResultAsync<T, BulwarkError>;
  /**
   * Cache-aside as a core {@link Policy}, to compose with `pipeline`: `execute(fn, signal)` is
   * `getOrSet(key, fn, { signal })`. The caller's signal stops its own wait; `fn` runs on a context
   * of its own, since its result is shared with every other caller.
   * @example
   * ```ts
   * const user = await pipeline(users.policy(`user:${id}`), breaker, retry).execute(({ signal }) => fetchUser(id, signal));
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
  /** Resolves once the invalidation channel is subscribed (at once without Redis). Never rejects. */
  ready(): Promise<void>;
  /** Counters and sizes. */
  stats(): CacheStats;
  /** Unsubscribes and closes the connection the cache opened; the caller's client stays open. */
  close(): Promise<void>;
  readonly onHit: Event<CacheHitEvent>;
  readonly onMiss: Event<CacheMissEvent>;
  readonly onStale: Event<CacheStaleEvent>;
  readonly onRefresh: Event<CacheRefreshEvent>;
  readonly onLoaderError: Event<CacheLoaderErrorEvent>;
  /** Redis failed an operation, or a value read from it was rejected; the cache carried on without it. */
  readonly onStoreError: Event<CacheStoreErrorEvent>;
  readonly onEvict: Event<CacheEvictEvent>;
}

interface Windows {
  ttlMs: number;
  swrMs: number;
  sieMs: number;
  negativeTtlMs: number;
  tags: readonly string[];
  isNegative: (value: any) => boolean;
}

/** What a Redis read found: the entry if valid, and the versions current at the time. */
interface L2Read {
  entry: Entry | undefined;
  keyVersion: number;
  nsVersion: number;
  tagVersions: readonly number[];
}

/** One load (or Redis read) of a key, shared by every caller that asks while it runs. */
class Flight {
  readonly key: string;
  readonly startEpoch: number;
  /** A refresh behind a value already served (stale-while-revalidate, early refresh). */
  readonly background: boolean;
  promise: Promise<unknown> = NEVER;
  /** The callers already have their answer (a stale value); the rest runs in the background. */
  answered = false;
  constructor(key: string, startEpoch: number, background: boolean) {
    this.key = key;
    this.startEpoch = startEpoch;
    this.background = background;
  }
}

const enum Scope {
  Key,
  Tag,
  Namespace,
}
interface Invalidation {
  epoch: number;
  scope: Scope;
  target: string;
  /** The announced version; Infinity for one made here (it outranks whatever we computed before). */
  version: number;
}

const LOG_LIMIT = 1024;
const SETUP_DEADLINE_MS = 5_000;
const NO_TAGS: readonly string[] = Object.freeze([]);
const NO_VERSIONS: readonly number[] = Object.freeze([]);
const NEVER: Promise<unknown> = new Promise(() => {});
const defaultIsNegative = (value: unknown): boolean => value === null || value === undefined;
const RELEASE_LEASE = redisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0");
// Raises a version counter, drops the entry (a key's own invalidation; same slot as its counter)
// and announces the new version, atomically, so that the announcement order is the version order.
// Versions never repeat, even once a counter has expired and is made again: the new value is at
// least the server's time in microseconds (below 2^53, so exact in Lua and in JavaScript). The
// counter lives at least ARGV[3] ms from now (0: for good).
const INVALIDATE = redisScript(
  "local t = redis.call('TIME') " +
  "local v = math.max((tonumber(redis.call('GET', KEYS[1])) or 0) + 1, t[1] * 1000000 + t[2]) " +
  "local s = string.format('%.0f', v) local keep = tonumber(ARGV[3]) " +
  "if keep > 0 then redis.call('SET', KEYS[1], s, 'PX', math.max(redis.call('PTTL', KEYS[1]), keep)) " +
  "else redis.call('SET', KEYS[1], s) end " +
  "if KEYS[2] then redis.call('UNLINK', KEYS[2]) end " +
  "redis.call('PUBLISH', ARGV[1], s .. '\\n' .. ARGV[2]) return s",
);
// Makes a counter outlive an entry that refers to it: moves its expiry out to ARGV[1] (Unix ms) if
// that is later, or, if it has expired (and with it every entry that referred to it), makes it
// again at ARGV[2], the version the entry was computed under, so that instances agree on it.
const TOUCH = redisScript(
  "local at = tonumber(ARGV[1]) local cur = redis.call('PEXPIRETIME', KEYS[1]) " +
  "if cur == -2 then redis.call('SET', KEYS[1], ARGV[2], 'PXAT', at) " +
  "elseif cur >= 0 and cur < at then redis.call('PEXPIREAT', KEYS[1], at) end return 0",
);
/** A key or tag counter lives at least this long after its last invalidation. */
const COUNTER_MIN_TTL_MS = 86_400_000;
/** A load whose versions were read longer ago than this is not written to Redis: its counters may have expired and started over. */
const MAX_LOAD_AGE_MS = COUNTER_MIN_TTL_MS / 2;
/** Counters outlive the entries that refer to them by this much (clock skew between instances and Redis). */
const COUNTER_MARGIN_MS = 600_000;

/** The store's name in errors. */
const STORE = 'redisCacheStore';

function checkKey(field: string, key: unknown): TypeError | undefined {
  return typeof key === 'string' && key.length > 0 ? undefined : invalidOption(field, key, 'a non-empty string');
}

function checkEntryOptions(o: GetOrSetOptions<any> | undefined): TypeError | undefined {
  if (o === undefined) return undefined;
  if (typeof o !== 'object' || o === null) return invalidOption('options', o, 'an options object');
  const { ttlMs, staleWhileRevalidateMs, staleIfErrorMs, negativeTtlMs, tags, isNegative } = o;
  if (ttlMs !== undefined && !(typeof ttlMs === 'number' && ttlMs > 0 && Number.isFinite(ttlMs))) {
    return invalidOption('ttlMs', ttlMs, 'a positive number of milliseconds');
  }
  if (negativeTtlMs !== undefined && !(typeof negativeTtlMs === 'number' && negativeTtlMs > 0 && Number.isFinite(negativeTtlMs))) {
    return invalidOption('negativeTtlMs', negativeTtlMs, 'a positive number of milliseconds');
  }
  if (staleWhileRevalidateMs !== undefined && !(typeof staleWhileRevalidateMs === 'number' && staleWhileRevalidateMs >= 0 && Number.isFinite(staleWhileRevalidateMs))) {
    return invalidOption('staleWhileRevalidateMs', staleWhileRevalidateMs, 'a non-negative number of milliseconds');
  }
  if (staleIfErrorMs !== undefined && !(typeof staleIfErrorMs === 'number' && staleIfErrorMs >= 0 && Number.isFinite(staleIfErrorMs))) {
    return invalidOption('staleIfErrorMs', staleIfErrorMs, 'a non-negative number of milliseconds');
  }
  if (tags !== undefined) {
    if (!Array.isArray(tags)) return invalidOption('tags', tags, 'an array of non-empty strings');
    for (let i = 0; i < tags.length; i++) {
      const bad = checkKey(`tags[${i}]`, tags[i]);
      if (bad !== undefined) return bad;
    }
  }
  if (isNegative !== undefined && typeof isNegative !== 'function') return invalidOption('isNegative', isNegative, 'a function');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) return invalidOption('signal', o.signal, 'an AbortSignal');
  return undefined;
}

class TwoTierCache implements Cache {
  readonly name: string;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #defaults: Windows;
  readonly #jitter: number;
  readonly #beta: number;
  readonly #l1: Lru | undefined;
  readonly #flights = new Map<string, Flight>();
  // Invalidations seen (local and announced), so a load that began before one never stores its result.
  #epoch = 0;
  #log: Invalidation[] = [];
  #logFloor = 0;
  #sealingKeys: readonly SealingKey[] | undefined;

  // Redis tier: every call under the store's deadline (core's timeout, one timer for all calls in
  // flight) and through the caller's policy or the built-in guard.
  readonly #redis: RedisConnection | undefined;
  /** Bounds connecting, subscribing and closing (not per-command work, which has the store's deadline). */
  readonly #setup: TimeoutPolicy | undefined;
  readonly #policy: Policy<any> | undefined;
  readonly #guard: L2Guard | undefined;
  readonly #keys: KeyLayout;
  // Versions vouched for by the subscription, and the last text read per key, decoded.
  readonly #memo: ReadMemo;
  readonly #leaseMs: number;
  readonly #leaseWaitMs: number;
  readonly #leasePollMs: number;
  readonly #instanceId = randomBytes(8).toString('hex');
  #subscriber: RedisClient | undefined;
  #ownsSubscriber = false;
  #ready: Promise<void>;
  #closed = false;
  #subscribedOnce = false;

  #l1Hits = 0;
  #l2Hits = 0;
  #misses = 0;
  #staleServed = 0;
  #refreshes = 0;
  #loads = 0;
  #loaderErrors = 0;
  #storeErrors = 0;
  #integrityErrors = 0;
  #evictions = 0;

  readonly #onHit = new EventEmitter<CacheHitEvent>();
  readonly #onMiss = new EventEmitter<CacheMissEvent>();
  readonly #onStale = new EventEmitter<CacheStaleEvent>();
  readonly #onRefresh = new EventEmitter<CacheRefreshEvent>();
  readonly #onLoaderError = new EventEmitter<CacheLoaderErrorEvent>();
  readonly #onStoreError = new EventEmitter<CacheStoreErrorEvent>();
  readonly #onEvict = new EventEmitter<CacheEvictEvent>();
  readonly onHit = this.#onHit.event;
  readonly onMiss = this.#onMiss.event;
  readonly onStale = this.#onStale.event;
  readonly onRefresh = this.#onRefresh.event;
  readonly onLoaderError = this.#onLoaderError.event;
  readonly onStoreError = this.#onStoreError.event;
  readonly onEvict = this.#onEvict.event;

  constructor(o: CacheOptions) {
    this.name = o.name ?? 'cache';
    this.#clock = o.clock ?? systemClock;
    this.#random = o.random ?? Math.random;
    const ttlMs = o.ttlMs ?? 60_000;
    this.#defaults = {
      ttlMs,
      swrMs: o.staleWhileRevalidateMs ?? 0,
      sieMs: o.staleIfErrorMs ?? 0,
      negativeTtlMs: o.negativeTtlMs ?? ttlMs,
      tags: NO_TAGS,
      isNegative: o.isNegative ?? defaultIsNegative,
    };
    this.#jitter = o.ttlJitter ?? 0.1;
    this.#beta = o.earlyRefreshBeta ?? 1;
    this.#l1 =
      o.memory === false
        ? undefined
        : new Lru(o.maxEntries ?? 10_000, o.maxBytes ?? 64 * 1024 * 1024, (e, reason) => this.#evicted(e, reason));
    this.#sealingKeys = o.sealing?.keys;

    const r = redisCacheSettings(o.store);
    this.#keys = new KeyLayout(r?.prefix ?? 'bulwark:cache:');
    this.#memo = new ReadMemo(this.#keys.namespace);
    this.#leaseMs = r?.leaseMs ?? 10_000;
    this.#leaseWaitMs = r?.leaseWaitMs ?? 3_000;
    this.#leasePollMs = r?.leasePollMs ?? 20;
    if (r === undefined) {
      this.#redis = this.#setup = this.#policy = this.#guard = undefined;
      this.#ready = Promise.resolve();
      return;
    }
    this.#redis = r.redis;
    this.#setup = timeout(SETUP_DEADLINE_MS, { clock: this.#clock, name: STORE });
    this.#policy = r.policy;
    this.#guard = r.policy === undefined ? new L2Guard(r.failureThreshold, r.cooldownMs, this.#clock) : undefined;
    this.#ready = this.#subscribe(r.subscriber);
  }

  // ---- reads ------------------------------------------------------------------------------------

  getOrSet<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): Promise<T> {
    const bad = checkKey('key', key) ?? (typeof loader === 'function' ? undefined : invalidOption('loader', loader, 'a function')) ?? checkEntryOptions(options);
    if (bad !== undefined) return Promise.reject(bad);
    const l1 = this.#l1;
    if (l1 !== undefined) {
      const e = l1.get(key);
      if (e !== undefined) {
        const now = this.#clock.now();
        if (now < e.freshUntil) {
          this.#l1Hits++;
          if (this.#onHit.hasListeners) this.#onHit.emit({ name: this.name, key, tier: 'l1' });
          if (this.#beta > 0 && e.loadMs > 0) this.#maybeRefreshEarly(e, now, loader, options);
          return (e.promise ??= Promise.resolve(e.value)) as Promise<T>;
        }
        return this.#wait(this.#getOrLoad(key, loader, options, e, now), options) as Promise<T>;
      }
    }
    return this.#wait(this.#getOrLoad(key, loader, options, undefined, this.#clock.now()), options) as Promise<T>;
  }

  /** The caller's view of a shared load: it may stop waiting on its own signal. */
  #wait(pending: Promise<unknown>, options: GetOrSetOptions<any> | undefined): Promise<unknown> {
    const signal = options?.signal;
    if (signal === undefined) return pending;
    if (signal.aborted) {
      pending.catch(() => {}); // its outcome is for the other callers; this one has left
      return Promise.reject(signal.reason);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  getOrSetResult<T>(key: string, loader: CacheLoader<T>, options?: GetOrSetOptions<T>): ResultAsync<T, BulwarkError> {
    return toResult(this.getOrSet(key, loader, options));
  }

  policy(key: string, options?: GetOrSetOptions<any>): Policy {
    const bad = checkKey('key', key) ?? checkEntryOptions(options);
    if (bad !== undefined) throw bad;
    const execute = <T>(fn: PolicyFunction<T>, source?: AbortSource): Promise<T> => {
      if (typeof fn !== 'function') return Promise.reject(invalidOption('fn', fn, 'a function'));
      const signal = source === undefined ? undefined : source instanceof AbortSignal ? source : source.signal;
      return this.getOrSet<T>(
        key,
        async () => {
          // The load is shared: it runs on its own context, not on the first caller's signal.
          const context = new CallContext();
          return fn(context);
        },
        signal === undefined ? options : { ...options, signal },
      );
    };
    return { execute, executeResult: (fn, signal) => toResult(execute(fn, signal)) };
  }

  get<T>(key: string): Promise<T | undefined> {
    const bad = checkKey('key', key);
    if (bad !== undefined) return Promise.reject(bad);
    const e = this.#l1?.get(key);
    if (e !== undefined && this.#clock.now() < e.freshUntil) {
      this.#l1Hits++;
      if (this.#onHit.hasListeners) this.#onHit.emit({ name: this.name, key, tier: 'l1' });
      return (e.promise ??= Promise.resolve(e.value)) as Promise<T>;
    }
    if (this.#redis === undefined) {
      this.#missed(key);
      return Promise.resolve(undefined);
    }
    return this.#getFromL2<T>(key);
  }

  async #getFromL2<T>(key: string): Promise<T | undefined> {
    const startEpoch = this.#epoch;
    const read = await this.#l2Read(key, NO_TAGS);
    const e = read?.entry;
    if (e !== undefined && this.#clock.now() < e.freshUntil) {
      this.#l2Hit(e, startEpoch);
      return e.value as T;
    }
    this.#missed(key);
    return undefined;
  }

  getResult<T>(key: string): ResultAsync<T | undefined, BulwarkError> {
    return toResult(this.get<T>(key));
  }

  peek<T>(key: string): T | undefined {
    const e = this.#l1?.peek(key);
    return e !== undefined && this.#clock.now() < e.retainUntil ? (e.value as T) : undefined;
  }

  #getOrLoad(key: string, loader: CacheLoader<unknown>, options: GetOrSetOptions<any> | undefined, e: Entry | undefined, now: number): Promise<unknown> {
    if (options?.signal?.aborted === true) return Promise.reject(options.signal.reason);
    if (e !== undefined && now >= e.retainUntil) {
      this.#l1!.delete(key, 'expired', e);
      e = undefined;
    }
    if (e !== undefined && now < e.staleUntil) {
      this.#servedStale(key, 'revalidating', now - e.freshUntil);
      this.#refreshInBackground(key, loader, options, 'stale');
      return (e.promise ??= Promise.resolve(e.value));
    }
    const flight = this.#flights.get(key);
    if (flight !== undefined) return flight.promise;
    return this.#startFlight(key, loader, options, e, false).promise;
  }

  #maybeRefreshEarly(e: Entry, now: number, loader: CacheLoader<unknown>, options: GetOrSetOptions<any> | undefined): void {
    // XFetch: refresh when now - loadMs * beta * ln(rand) passes the expiry. -ln(rand) rarely
    // exceeds 20, so entries far from expiry skip the logarithm.
    const gap = e.freshUntil - now;
    const scale = e.loadMs * this.#beta;
    if (gap > scale * 20) return;
    if (-Math.log(1 - this.#random()) * scale >= gap) this.#refreshInBackground(e.key, loader, options, 'early');
  }

  #refreshInBackground(key: string, loader: CacheLoader<unknown>, options: GetOrSetOptions<any> | undefined, reason: 'stale' | 'early'): void {
    if (this.#flights.has(key)) return;
    this.#refreshes++;
    if (this.#onRefresh.hasListeners) this.#onRefresh.emit({ name: this.name, key, reason });
    const flight = this.#startFlight(key, loader, options, this.#l1?.peek(key), true);
    // Failures were reported through onLoaderError; the stale value keeps being served.
    flight.promise.catch(() => {});
  }

  #startFlight(key: string, loader: CacheLoader<unknown>, options: GetOrSetOptions<any> | undefined, stale: Entry | undefined, background: boolean): Flight {
    const flight = new Flight(key, this.#epoch, background);
    this.#flights.set(key, flight);
    // The flight's promise is the load itself: no promise in between on the read path.
    flight.promise = this.#fly(flight, loader, this.#windows(options), stale);
    return flight;
  }

  /** Leave the map before settling, so a caller woken by the result starts afresh. */
  #land(flight: Flight): void {
    if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
  }

  #windows(o: GetOrSetOptions<any> | undefined): Windows {
    const d = this.#defaults;
    if (o === undefined) return d;
    return {
      ttlMs: o.ttlMs ?? d.ttlMs,
      swrMs: o.staleWhileRevalidateMs ?? d.swrMs,
      sieMs: o.staleIfErrorMs ?? d.sieMs,
      negativeTtlMs: o.negativeTtlMs ?? d.negativeTtlMs,
      tags: o.tags ?? d.tags,
      isNegative: o.isNegative ?? d.isNegative,
    };
  }

  async #fly(flight: Flight, loader: CacheLoader<unknown>, w: Windows, stale: Entry | undefined): Promise<unknown> {
    const key = flight.key;
    try {
      let read: L2Read | undefined;
      if (this.#redis !== undefined) {
        read = await this.#l2Read(key, w.tags);
        const found = read?.entry;
        if (found !== undefined) {
          const now = this.#clock.now();
          if (now < found.freshUntil) {
            this.#l2Hit(found, flight.startEpoch);
            return found.value;
          }
          if (stale === undefined || found.freshUntil > stale.freshUntil) stale = found;
          if (!flight.background && now < found.staleUntil) {
            // Stale in Redis but within its revalidate window: answer now, refresh behind it (the
            // flight stays in the map until then, so later callers get the same stale answer).
            this.#store(found, flight.startEpoch);
            this.#servedStale(key, 'revalidating', now - found.freshUntil);
            this.#refreshes++;
            if (this.#onRefresh.hasListeners) this.#onRefresh.emit({ name: this.name, key, reason: 'stale' });
            flight.answered = true;
            this.#leaseAndLoad(flight, loader, w, stale, read)
              .catch(() => {}) // reported through onLoaderError
              .finally(() => this.#land(flight));
            return found.value;
          }
        }
      }
      return await this.#leaseAndLoad(flight, loader, w, stale, read);
    } finally {
      if (!flight.answered) this.#land(flight);
    }
  }

  /** After a read found nothing fresh: takes the lease (or waits for its holder's result), then loads. */
  async #leaseAndLoad(flight: Flight, loader: CacheLoader<unknown>, w: Windows, stale: Entry | undefined, read: L2Read | undefined): Promise<unknown> {
    const key = flight.key;
    let lease: string | undefined;
    if (read !== undefined) {
      // Only one instance recomputes: the others wait (bounded) for its result in Redis.
      lease = await this.#acquireLease(key);
      if (lease === undefined) {
        const waitUntil = this.#clock.monotonic() + this.#leaseWaitMs;
        while (lease === undefined && this.#clock.monotonic() < waitUntil) {
          // Not unref'd: this wait is the caller's work, it must keep the process alive.
          await sleep(this.#leasePollMs, { clock: this.#clock });
          const again = await this.#l2Read(key, w.tags);
          if (again === undefined) break;
          read = again;
          const e = again.entry;
          if (e !== undefined && this.#clock.now() < e.freshUntil) {
            this.#l2Hit(e, flight.startEpoch);
            return e.value;
          }
          lease = await this.#acquireLease(key);
        }
      }
      if (lease !== undefined && lease !== '') {
        // The previous holder may have written its result and let go between our read and our
        // lease: look once more before loading again.
        const check = await this.#l2Read(key, w.tags);
        const e = check?.entry;
        if (e !== undefined && this.#clock.now() < e.freshUntil) {
          void this.#releaseLease(key, lease);
          this.#l2Hit(e, flight.startEpoch);
          return e.value;
        }
        if (check !== undefined) read = check;
      }
    }
    if (!flight.answered && !flight.background) this.#missed(key);
    try {
      return await this.#load(flight, loader, w, stale, read);
    } finally {
      if (lease !== undefined) void this.#releaseLease(key, lease);
    }
  }

  async #load(flight: Flight, loader: CacheLoader<unknown>, w: Windows, stale: Entry | undefined, read: L2Read | undefined): Promise<unknown> {
    const key = flight.key;
    this.#loads++;
    const started = this.#clock.monotonic();
    let value: unknown;
    try {
      value = await loader({ key });
    } catch (error) {
      this.#loaderErrors++;
      const now = this.#clock.now();
      const servedStale = stale !== undefined && now < stale.errorUntil;
      if (this.#onLoaderError.hasListeners) this.#onLoaderError.emit({ name: this.name, key, error, servedStale });
      if (!servedStale) throw error;
      if (!flight.answered) this.#servedStale(key, 'loader-error', now - stale.freshUntil);
      return stale.value;
    }
    const loadMs = this.#clock.monotonic() - started;
    const entry = this.#makeEntry(key, value, w, loadMs, read);
    this.#store(entry, flight.startEpoch);
    // Versions were read just before the load started: a load that ran for half a counter's
    // lifetime may have outlived them, so its result is not written.
    if (read !== undefined && !this.#invalidatedSince(flight.startEpoch, entry) && this.#clock.monotonic() - started < MAX_LOAD_AGE_MS) {
      await this.#l2Write(entry);
    }
    return entry.value;
  }

  #makeEntry(key: string, value: unknown, w: Windows, loadMs: number, read: L2Read | undefined): Entry {
    const json = serialize(key, value);
    const negative = w.isNegative(value) === true;
    const base = negative ? w.negativeTtlMs : w.ttlMs;
    const ttl = this.#jitter > 0 ? base * (1 - this.#jitter * this.#random()) : base;
    const now = this.#clock.now();
    const freshUntil = now + ttl;
    return new Entry(
      key,
      deserialize(json),
      json,
      freshUntil,
      freshUntil + w.swrMs,
      freshUntil + w.sieMs,
      loadMs,
      negative,
      w.tags,
      read?.keyVersion ?? 0,
      read?.nsVersion ?? 0,
      read?.tagVersions ?? w.tags.map(() => 0),
    );
  }

  /** Puts an entry in memory unless an invalidation it predates has been seen. */
  #store(e: Entry, startEpoch: number): void {
    if (this.#l1 === undefined || this.#invalidatedSince(startEpoch, e)) return;
    this.#l1.set(e);
  }

  #l2Hit(e: Entry, startEpoch: number): void {
    this.#l2Hits++;
    if (this.#onHit.hasListeners) this.#onHit.emit({ name: this.name, key: e.key, tier: 'l2' });
    this.#store(e, startEpoch);
  }

  #missed(key: string): void {
    this.#misses++;
    if (this.#onMiss.hasListeners) this.#onMiss.emit({ name: this.name, key });
  }

  #servedStale(key: string, reason: 'revalidating' | 'loader-error', ageMs: number): void {
    this.#staleServed++;
    if (this.#onStale.hasListeners) this.#onStale.emit({ name: this.name, key, reason, ageMs });
  }

  #evicted(e: Entry, reason: EvictReason): void {
    this.#evictions++;
    if (this.#onEvict.hasListeners) this.#onEvict.emit({ name: this.name, key: e.key, reason });
  }

  // ---- writes and invalidation -------------------------------------------------------------------

  set<T>(key: string, value: T, options?: EntryOptions): Promise<void> {
    const bad = checkKey('key', key) ?? checkEntryOptions(options);
    if (bad !== undefined) return Promise.reject(bad);
    const w = this.#windows(options);
    let entry: Entry;
    try {
      entry = this.#makeEntry(key, value, { ...w, isNegative: () => false }, 0, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#setEntry(entry, w);
  }

  async #setEntry(entry: Entry, w: Windows): Promise<void> {
    const startEpoch = this.#epoch;
    if (this.#redis !== undefined) {
      const versions = await this.#l2Versions(entry.key, w.tags);
      if (versions !== undefined) {
        entry.keyVersion = versions.keyVersion;
        entry.nsVersion = versions.nsVersion;
        entry.tagVersions = versions.tagVersions;
        if (!this.#invalidatedSince(startEpoch, entry)) await this.#l2Write(entry);
      }
    }
    this.#store(entry, startEpoch);
  }

  setResult<T>(key: string, value: T, options?: EntryOptions): ResultAsync<void, BulwarkError> {
    return toResult(this.set(key, value, options));
  }

  delete(key: string): Promise<void> {
    const bad = checkKey('key', key);
    if (bad !== undefined) return Promise.reject(bad);
    this.#invalidateLocally(Scope.Key, key, Infinity);
    const entryKey = this.#keys.entry(key);
    return this.#announce('key', key, this.#keys.keyVersion(entryKey), entryKey);
  }

  deleteResult(key: string): ResultAsync<void, BulwarkError> {
    return toResult(this.delete(key));
  }

  invalidateTag(tag: string): Promise<void> {
    const bad = checkKey('tag', tag);
    if (bad !== undefined) return Promise.reject(bad);
    this.#invalidateLocally(Scope.Tag, tag, Infinity);
    return this.#announce('tag', tag, this.#keys.tag(tag), undefined);
  }

  invalidateTagResult(tag: string): ResultAsync<void, BulwarkError> {
    return toResult(this.invalidateTag(tag));
  }

  bumpNamespace(): Promise<void> {
    this.#invalidateLocally(Scope.Namespace, '', Infinity);
    return this.#announce('namespace', undefined, this.#keys.namespace, undefined);
  }

  bumpNamespaceResult(): ResultAsync<void, BulwarkError> {
    return toResult(this.bumpNamespace());
  }

  /**
   * Records an invalidation and drops what memory holds under it. `version` is the announced
   * version: an entry already computed under that version or a later one is kept, so a late
   * announcement never drops (or lets back) anything newer than itself.
   */
  #invalidateLocally(scope: Scope, target: string, version: number): void {
    this.#epoch++;
    this.#log.push({ epoch: this.#epoch, scope, target, version });
    if (this.#log.length > LOG_LIMIT) this.#logFloor = this.#log.shift()!.epoch;
    const l1 = this.#l1;
    if (l1 === undefined) return;
    if (scope === Scope.Key) {
      const e = l1.peek(target);
      if (e !== undefined && e.keyVersion < version) l1.delete(target, 'invalidated', e);
    } else if (scope === Scope.Tag) {
      for (const key of l1.keysWithTag(target)) {
        const e = l1.peek(key)!;
        const i = e.tags.indexOf(target);
        if (i !== -1 && e.tagVersions[i]! < version) l1.delete(key, 'invalidated', e);
      }
    } else if (version === Infinity) {
      l1.clear('invalidated');
    } else {
      // Copied first: deleting while walking the recency list would cut the walk short.
      for (const key of Array.from(l1.keys())) {
        const e = l1.peek(key)!;
        if (e.nsVersion < version) l1.delete(key, 'invalidated', e);
      }
    }
  }

  /** Whether an invalidation seen after `startEpoch` outranks the versions `e` was computed under. */
  #invalidatedSince(startEpoch: number, e: Entry): boolean {
    if (this.#epoch === startEpoch) return false;
    if (startEpoch < this.#logFloor) return true;
    const log = this.#log;
    for (let i = log.length - 1; i >= 0; i--) {
      const r = log[i]!;
      if (r.epoch <= startEpoch) break;
      if (r.scope === Scope.Namespace) {
        if (e.nsVersion < r.version) return true;
      } else if (r.scope === Scope.Key) {
        if (r.target === e.key && e.keyVersion < r.version) return true;
      } else {
        const j = e.tags.indexOf(r.target);
        if (j !== -1 && e.tagVersions[j]! < r.version) return true;
      }
    }
    return false;
  }

  async #announce(scope: 'key' | 'tag' | 'namespace', target: string | undefined, counter: string, entryKey: string | undefined): Promise<void> {
    if (this.#redis === undefined) return;
    const kind = scope === 'key' ? 'k' : scope === 'tag' ? 't' : 'n';
    // The namespace counter is one key per cache: it is kept for good. Key and tag counters expire.
    const keepMs = scope === 'namespace' ? '0' : String(COUNTER_MIN_TTL_MS);
    const generation = this.#memo.generation;
    let version: unknown;
    try {
      const redis = this.#redis;
      version = await this.#l2('invalidate', (c) =>
        redis.evalScript(c, INVALIDATE, entryKey === undefined ? [counter] : [counter, entryKey], [
          this.#keys.channel,
          `${kind}\n${this.#instanceId}\n${target ?? ''}`,
          keepMs,
        ]),
      );
    } catch (error) {
      throw new CacheInvalidationError(scope, target, { cause: error });
    }
    // Our own reads must not wait for the announcement to stop trusting the old version.
    if (entryKey !== undefined) this.#memo.learnKey(entryKey, Number(version), generation);
    else this.#memo.learnCounter(counter, Number(version), generation);
  }

  #onMessage = (message: string): void => {
    // `<version>\n<kind>\n<origin>\n<target>`; the target may itself hold newlines.
    const a = message.indexOf('\n');
    const b = message.indexOf('\n', a + 1);
    const c = message.indexOf('\n', b + 1);
    if (a < 0 || b < 0 || c < 0) return;
    const version = Number(message.slice(0, a));
    const kind = message.slice(a + 1, b);
    const target = message.slice(c + 1);
    if (!Number.isFinite(version)) return;
    const scope = kind === 'k' ? Scope.Key : kind === 't' ? Scope.Tag : kind === 'n' ? Scope.Namespace : undefined;
    if (scope === undefined) return;
    const memo = this.#memo;
    if (scope === Scope.Key) memo.learnKey(this.#keys.entry(target), version, memo.generation);
    else memo.learnCounter(scope === Scope.Tag ? this.#keys.tag(target) : this.#keys.namespace, version, memo.generation);
    this.#invalidateLocally(scope, target, version);
  };

  async #subscribe(given: RedisClient | undefined): Promise<void> {
    try {
      let sub = given;
      if (sub === undefined) {
        const created = this.#redis!.client.duplicate();
        sub = created;
        this.#ownsSubscriber = true;
        sub.on('error', this.#onSubscriberError);
        this.#subscriber = sub;
        await this.#withDeadline('subscribe', () => created.connect());
      }
      this.#subscriber = sub;
      // Messages sent while the subscription was down are lost: start over from Redis.
      sub.on('ready', this.#onSubscriberReady);
      sub.on('end', this.#onSubscriberDown);
      sub.on('reconnecting', this.#onSubscriberDown);
      // A Cluster client reports its nodes' reconnects only, not its pub/sub node's own.
      sub.on('node-ready', this.#onSubscriberReady);
      const subscriber = sub;
      await this.#withDeadline('subscribe', () => subscriber.subscribe(this.#keys.channel, this.#onMessage));
      this.#subscribedOnce = true;
      if (sub.isReady && !this.#closed && !isRedisCluster(sub)) this.#memo.trust();
    } catch (error) {
      this.#reportL2('subscribe', error);
    }
  }

  #onSubscriberError = (error: unknown): void => {
    this.#memo.distrust();
    this.#reportL2('subscribe', error);
  };

  #onSubscriberDown = (): void => {
    this.#memo.distrust();
  };

  #onSubscriberReady = (): void => {
    if (!this.#subscribedOnce || this.#closed) return;
    this.#invalidateLocally(Scope.Namespace, '', Infinity);
    // node-redis has subscribed again by the time a client reports ready. A Cluster client says
    // nothing when its pub/sub node drops, so what it heard is never trusted: versions are read.
    if (!isRedisCluster(this.#subscriber!)) this.#memo.trust();
  };

  /** Connecting, subscribing and closing, under their own deadline (core's timeout, `SETUP_DEADLINE_MS`). */
  #withDeadline<T>(operation: string, start: () => Promise<T>): Promise<T> {
    return this.#setup!.execute(start).catch((error: unknown) => {
      throw this.#redis!.failure(operation, error);
    });
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready;
    const sub = this.#subscriber;
    if (sub === undefined) return;
    this.#memo.distrust();
    sub.off('ready', this.#onSubscriberReady);
    sub.off('end', this.#onSubscriberDown);
    sub.off('reconnecting', this.#onSubscriberDown);
    sub.off('node-ready', this.#onSubscriberReady);
    try {
      if (this.#ownsSubscriber) {
        if (sub.isOpen) await this.#withDeadline('close', () => sub.close());
      } else if (sub.isReady) {
        await this.#withDeadline('close', () => sub.unsubscribe(this.#keys.channel, this.#onMessage));
      }
    } catch (error) {
      if (this.#ownsSubscriber) sub.destroy();
      this.#reportL2('close', error);
    }
  }

  stats(): CacheStats {
    return {
      hits: this.#l1Hits + this.#l2Hits,
      l1Hits: this.#l1Hits,
      l2Hits: this.#l2Hits,
      misses: this.#misses,
      staleServed: this.#staleServed,
      refreshes: this.#refreshes,
      loads: this.#loads,
      loaderErrors: this.#loaderErrors,
      storeErrors: this.#storeErrors,
      integrityErrors: this.#integrityErrors,
      evictions: this.#evictions,
      entries: this.#l1?.size ?? 0,
      bytes: this.#l1?.bytes ?? 0,
    };
  }

  // ---- Redis tier -------------------------------------------------------------------------------

  /** Runs one Redis operation under the breaker and the store's deadline; fails fast when not connected. */
  #l2<T>(operation: string, fn: (commands: RedisClient) => Promise<T>): Promise<T> {
    const policy = this.#policy;
    if (policy !== undefined) return policy.execute(() => this.#send(operation, fn, undefined, false)) as Promise<T>;
    // The built-in guard is inline rather than one more policy layer: this is the hot read path.
    const guard = this.#guard!;
    let probe: boolean;
    try {
      probe = guard.admit();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(operation, fn, guard, probe);
  }

  /** `fn` through the store's connection; its outcome reported to `guard` when given. */
  #send<T>(operation: string, fn: (commands: RedisClient) => Promise<T>, guard: L2Guard | undefined, probe: boolean): Promise<T> {
    const send = (commands: RedisClient): Promise<T> => {
      if (this.#closed && operation !== 'release') throw new StoreUnavailableError(STORE, operation, 'the cache is closed');
      return fn(commands);
    };
    return this.#redis!.call(operation, send).then(
      (value) => {
        guard?.succeeded(probe);
        return value;
      },
      (error: unknown) => {
        guard?.failed(probe);
        throw error;
      },
    );
  }

  #reportL2(operation: string, error: unknown): void {
    this.#storeErrors++;
    if (!this.#onStoreError.hasListeners) return;
    const reported = isCacheIntegrityError(error) ? error : this.#redis!.failure(operation, error);
    this.#onStoreError.emit({ name: this.name, operation, error: reported });
  }

  /** Versions of `counters` that memory vouches for, and the indexes of those to read from Redis. */
  #remembered(counters: readonly string[]): { versions: number[]; missing: number[] } {
    const versions: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < counters.length; i++) {
      const v = this.#memo.counter(counters[i]!);
      if (v === undefined) missing.push(i);
      else versions[i] = v;
    }
    return { versions, missing };
  }

  /** Fills in the counters read from Redis (`got[j]` is `counters[missing[j]]`), and remembers them. */
  #fill(counters: readonly string[], versions: number[], missing: readonly number[], got: readonly unknown[], generation: number): void {
    for (let j = 0; j < missing.length; j++) {
      const i = missing[j]!;
      versions[i] = Number(got[j] ?? 0);
      this.#memo.learnCounter(counters[i]!, versions[i], generation);
    }
  }

  /**
   * Current versions of counters: from memory when the subscription vouches for them, else read
   * from Redis, one single-key GET each, sent together under one deadline.
   */
  async #counters(counters: readonly string[]): Promise<number[]> {
    const generation = this.#memo.generation;
    const { versions, missing } = this.#remembered(counters);
    if (missing.length === 0) return versions;
    const got = await this.#l2('read', (c) => Promise.all(missing.map((i) => c.get(counters[i]!))));
    this.#fill(counters, versions, missing, got, generation);
    return versions;
  }

  /** The versions a value written now for `key` is computed under. */
  async #l2Versions(key: string, tags: readonly string[]): Promise<L2Read | undefined> {
    const keys = this.#keys;
    const memo = this.#memo;
    const generation = memo.generation;
    const entryKey = keys.entry(key);
    let keyVersion = memo.keyVersion(memo.key(entryKey));
    const counters = [keys.namespace];
    for (const t of tags) counters.push(keys.tag(t));
    const { versions, missing } = this.#remembered(counters);
    try {
      if (keyVersion === undefined || missing.length > 0) {
        const readKeyVersion = keyVersion === undefined;
        const got = await this.#l2('read', (c) => {
          const reads: Array<Promise<unknown>> = readKeyVersion ? [c.get(keys.keyVersion(entryKey))] : [];
          for (const i of missing) reads.push(c.get(counters[i]!));
          return Promise.all(reads);
        });
        if (readKeyVersion) {
          keyVersion = Number(got[0] ?? 0);
          memo.learnKey(entryKey, keyVersion, generation);
        }
        this.#fill(counters, versions, missing, readKeyVersion ? got.slice(1) : got, generation);
      }
    } catch (error) {
      this.#reportL2('read', error);
      return undefined;
    }
    return { entry: undefined, keyVersion: keyVersion!, nsVersion: versions[0]!, tagVersions: tags.length === 0 ? NO_VERSIONS : versions.slice(1) };
  }

  /**
   * Reads an entry with the versions it must match: its key's, the namespace's and its tags'. An
   * entry computed under older versions was invalidated and reads as absent. With the versions in
   * memory this is one GET of the entry; otherwise the entry and its key version are one MGET (one
   * slot), and each other counter one GET, all sent at once. When an entry disagrees with a
   * version from memory, that version is read again once: the entry may be a late write, or the
   * counter may have expired and been made again.
   */
  async #l2Read(key: string, tags: readonly string[], again = false): Promise<L2Read | undefined> {
    const keys = this.#keys;
    const memo = this.#memo;
    const generation = memo.generation;
    const entryKey = keys.entry(key);
    let record = memo.key(entryKey);
    let keyVersion = memo.keyVersion(record);
    let nsVersion = memo.counter(keys.namespace);
    const keyRemembered = keyVersion !== undefined;
    const nsRemembered = nsVersion !== undefined;
    let tagVersions: readonly number[] = NO_VERSIONS;
    let raw: string | undefined;
    try {
      if (keyVersion !== undefined && nsVersion !== undefined && tags.length === 0) {
        raw = ((await this.#l2('read', (c) => c.get(entryKey))) as string | null) ?? undefined;
      } else {
        const counters = [keys.namespace];
        for (const t of tags) counters.push(keys.tag(t));
        const { versions, missing } = this.#remembered(counters);
        const readKeyVersion = keyVersion === undefined;
        // One deadline and one breaker call for the whole read; every command is single-slot.
        const got = await this.#l2('read', (c) => {
          const reads: Array<Promise<unknown>> = [readKeyVersion ? c.mGet([entryKey, keys.keyVersion(entryKey)]) : c.get(entryKey)];
          for (const i of missing) reads.push(c.get(counters[i]!));
          return Promise.all(reads);
        });
        if (readKeyVersion) {
          const pair = got[0] as Array<string | null>;
          raw = pair[0] ?? undefined;
          keyVersion = Number(pair[1] ?? 0);
          memo.learnKey(entryKey, keyVersion, generation);
          record = memo.key(entryKey);
        } else {
          raw = (got[0] as string | null) ?? undefined;
        }
        this.#fill(counters, versions, missing, got.slice(1), generation);
        nsVersion = versions[0]!;
        if (tags.length > 0) tagVersions = versions.slice(1);
      }
    } catch (error) {
      this.#reportL2('read', error);
      return undefined;
    }
    const read: L2Read = { entry: undefined, keyVersion: keyVersion!, nsVersion: nsVersion!, tagVersions };
    if (raw === undefined || raw === null) return read;
    let e: Entry;
    if (record !== undefined && record.raw === raw) {
      e = record.entry!;
    } else {
      try {
        e = decodeEntry(key, this.#open(entryKey, raw));
      } catch (error) {
        this.#integrityErrors++;
        this.#reportL2('read', new CacheIntegrityError(key, error instanceof Error ? error.message : String(error)));
        return read;
      }
      memo.decoded(entryKey, raw, e);
    }
    if (e.keyVersion !== read.keyVersion) {
      if (!keyRemembered || record === undefined) return read;
      memo.forgetKey(record);
      return again ? read : this.#l2Read(key, tags, true);
    }
    if (e.nsVersion !== read.nsVersion) {
      if (!nsRemembered) return read;
      memo.forgetCounter(keys.namespace);
      return again ? read : this.#l2Read(key, tags, true);
    }
    if (e.tags.length > 0) {
      // The entry's own tags: those the caller named were read above, the others now.
      let current: readonly number[];
      if (e.tags === tags || (e.tags.length === tags.length && e.tags.every((t, i) => t === tags[i]))) {
        current = tagVersions;
      } else {
        try {
          current = await this.#counters(e.tags.map((t) => keys.tag(t)));
        } catch (error) {
          this.#reportL2('read', error);
          return undefined;
        }
      }
      for (let i = 0; i < e.tags.length; i++) {
        if (e.tagVersions[i] !== current[i]) {
          const counter = keys.tag(e.tags[i]!);
          if (memo.counter(counter) === undefined) return read;
          memo.forgetCounter(counter);
          return again ? read : this.#l2Read(key, tags, true);
        }
      }
    }
    read.entry = e;
    return read;
  }

  #open(entryKey: string, raw: string): string {
    const keys = this.#sealingKeys;
    if (keys === undefined) {
      if (isSealed(raw)) throw new Error('it is sealed and this cache has no sealing keys');
      return raw;
    }
    if (!isSealed(raw)) throw new Error('it is not sealed and this cache requires sealed values');
    return unseal(keys, entryKey, raw);
  }

  async #l2Write(e: Entry): Promise<void> {
    const keys = this.#keys;
    const entryKey = keys.entry(e.key);
    const plain = encodeEntry(e);
    const sealing = this.#sealingKeys;
    const stored = sealing === undefined ? plain : seal(sealing, entryKey, plain);
    // Redis expires the entry on the server's clock once every window has passed.
    const expires = Date.now() + Math.max(1, Math.ceil(e.retainUntil - this.#clock.now()));
    // The key and tag counters the entry was computed under must outlive it, or an invalidated
    // entry could match a counter made again from nothing; they are touched first, on the way.
    const keepUntil = String(expires + COUNTER_MARGIN_MS);
    const redis = this.#redis!;
    try {
      await this.#l2('write', (c) => {
        const writes: Array<Promise<unknown>> = [redis.evalScript(c, TOUCH, [keys.keyVersion(entryKey)], [keepUntil, String(e.keyVersion)])];
        for (let i = 0; i < e.tags.length; i++) {
          writes.push(redis.evalScript(c, TOUCH, [keys.tag(e.tags[i]!)], [keepUntil, String(e.tagVersions[i])]));
        }
        writes.push(c.set(entryKey, stored, { PXAT: expires }));
        return Promise.all(writes);
      });
    } catch (error) {
      this.#reportL2('write', error);
    }
  }

  async #acquireLease(key: string): Promise<string | undefined> {
    const token = `${this.#instanceId}:${randomBytes(6).toString('hex')}`;
    const leaseKey = this.#keys.lease(this.#keys.entry(key));
    try {
      const ok = await this.#l2('lease', (c) => c.set(leaseKey, token, { NX: true, PX: this.#leaseMs }));
      return ok === 'OK' ? token : undefined;
    } catch (error) {
      this.#reportL2('lease', error);
      // Without Redis there is no one to wait for: load here.
      return '';
    }
  }

  async #releaseLease(key: string, token: string): Promise<void> {
    if (token === '') return;
    const leaseKey = this.#keys.lease(this.#keys.entry(key));
    try {
      const redis = this.#redis!;
      await this.#l2('release', (c) => redis.evalScript(c, RELEASE_LEASE, [leaseKey], [token]));
    } catch (error) {
      // The lease expires on its own after leaseMs.
      this.#reportL2('release', error);
    }
  }

  /** Replaces the sealing keys (rotation): the first seals from now on, all open. */
  setSealingKeys(keys: readonly SealingKey[]): void {
    this.#sealingKeys = checkSealingKeys(keys);
    // A value sealed under a key just dropped must stop opening.
    this.#memo.forgetDecoded();
  }
}

function checkSealingKeys(keys: unknown): readonly SealingKey[] {
  if (!Array.isArray(keys) || keys.length === 0) throw invalidOption('sealing.keys', keys, 'a non-empty array of { id, key }');
  const ids = new Set<string>();
  keys.forEach((k: unknown, i) => {
    const { id, key } = (k ?? {}) as { id?: unknown; key?: unknown };
    if (typeof id !== 'string' || id.length === 0 || id.includes(':')) {
      throw invalidOption(`sealing.keys[${i}].id`, id, 'a non-empty string without ":"');
    }
    if (ids.has(id)) throw invalidOption(`sealing.keys[${i}].id`, id, 'an id not used by another key');
    ids.add(id);
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      // Never echo key material: describe it by type and length only.
      const what = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
      throw new TypeError(`Expected \`sealing.keys[${i}].key\` to be 32 bytes (AES-256), got ${what}.`);
    }
  });
  return Object.freeze(keys.map((k: SealingKey) => Object.freeze({ id: k.id, key: Uint8Array.from(k.key) })));
}

/** A {@link Cache} whose sealing keys can be rotated at run time. */
export interface SealedCache extends Cache {
  /** Replaces the sealing keys: the first seals from now on, all of them open. Validated like the option. */
  setSealingKeys(keys: readonly SealingKey[]): void;
}

const CACHE_OPTIONS = knownOptions<CacheOptions>('cache()', {
  name: [],
  ttlMs: ['ttl', 'expiresIn', 'maxAge'],
  staleWhileRevalidateMs: ['staleWhileRevalidate', 'swr'],
  staleIfErrorMs: ['staleIfError'],
  negativeTtlMs: [],
  isNegative: [],
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
 * const validations = cache({ ttlMs: 60_000, staleIfErrorMs: 3_600_000 });
 * const verdict = await validations.getOrSet(`email:${address}`, () => api.validate(address));
 * ```
 */
export function cache(options: CacheOptions = {}): SealedCache {
  expectOptions('options', options, CACHE_OPTIONS);
  const o = options;
  if (o.name !== undefined) expectName(o.name);
  if (o.ttlMs !== undefined) expectNumber('ttlMs', o.ttlMs, { above: 0 });
  if (o.negativeTtlMs !== undefined) expectNumber('negativeTtlMs', o.negativeTtlMs, { above: 0 });
  if (o.staleWhileRevalidateMs !== undefined) expectNumber('staleWhileRevalidateMs', o.staleWhileRevalidateMs, { min: 0 });
  if (o.staleIfErrorMs !== undefined) expectNumber('staleIfErrorMs', o.staleIfErrorMs, { min: 0 });
  if (o.isNegative !== undefined) expectFunction('isNegative', o.isNegative);
  if (o.ttlJitter !== undefined) expectNumber('ttlJitter', o.ttlJitter, { min: 0, max: 1 });
  if (o.earlyRefreshBeta !== undefined) expectNumber('earlyRefreshBeta', o.earlyRefreshBeta, { min: 0 });
  if (o.memory !== undefined && typeof o.memory !== 'boolean') throw invalidOption('memory', o.memory, 'a boolean');
  if (o.maxEntries !== undefined) expectInteger('maxEntries', o.maxEntries, { min: 1 });
  if (o.maxBytes !== undefined) expectInteger('maxBytes', o.maxBytes, { min: 1 });
  expectClock('clock', o.clock);
  if (o.random !== undefined) expectFunction('random', o.random);
  if (o.store !== undefined && redisCacheSettings(o.store) === undefined) {
    throw invalidOption('store', o.store, 'a store from redisCacheStore(...)');
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
