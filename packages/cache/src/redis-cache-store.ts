import {
  expectClock,
  expectInteger,
  expectNumber,
  expectOptions,
  expectRedisClient,
  invalidOption,
  knownOptions,
  redisConnection,
  type Policy,
  type RedisClient,
  type RedisConnection,
  type RedisStoreOptions,
} from '@bulwark/core';
import { WINDOW_BOUNDS } from './internal/windows.js';

/**
 * Options for {@link redisCacheStore}: core's `RedisStoreOptions` (`client`, `prefix`, `timeoutMs`,
 * `clock`) and the cache's own Redis settings.
 *
 * `client` is a connected node-redis 6 client or Cluster client; `prefix` (of every Redis key and
 * of the invalidation channel) defaults to `'bulwark:cache:'`; `timeoutMs`, the deadline of each
 * Redis operation (past it the cache carries on from memory), to 250.
 */
export interface RedisCacheStoreOptions extends RedisStoreOptions {
  /**
   * A connected client for pub/sub (a subscribed connection can run nothing else).
   * @default `client.duplicate()`, connected and closed by each cache
   */
  readonly subscriber?: RedisClient;
  /** The breaker (any core `Policy`) every Redis operation goes through. @default a built-in guard: 5 failures in a row open it for 5 s */
  readonly policy?: Policy<any>;
  /** Settings of the built-in guard, used when no `policy` is given. */
  readonly guard?: {
    /** Failures in a row that open it. @default 5 */
    readonly threshold?: number;
    /** How long it stays open before one probe goes through, in ms. @default 5000 */
    readonly halfOpenAfterMs?: number;
  };
  /** How long a recompute lease lasts if its holder dies, in ms. @default 10000 */
  readonly leaseMs?: number;
  /** How long an instance waits for another's recompute before loading itself, in ms. @default 3000 */
  readonly leaseWaitMs?: number;
  /** How often a waiting instance looks for the result, in ms. @default 20 */
  readonly leasePollMs?: number;
}

/** A Redis tier for {@link cache}, as `cache({ store })`. Create one with {@link redisCacheStore}. */
export interface RedisCacheStore {
  readonly kind: 'redis';
  /** The key prefix. */
  readonly prefix: string;
}

/** @internal What a cache reads from its store. */
export interface RedisCacheSettings {
  readonly redis: RedisConnection;
  readonly prefix: string;
  readonly subscriber: RedisClient | undefined;
  readonly policy: Policy<any> | undefined;
  readonly threshold: number;
  readonly halfOpenAfterMs: number;
  readonly leaseMs: number;
  readonly leaseWaitMs: number;
  readonly leasePollMs: number;
}

const settings = new WeakMap<object, RedisCacheSettings>();

/** @internal The settings of a store made by {@link redisCacheStore}, or `undefined` for anything else. */
export function redisCacheSettings(store: unknown): RedisCacheSettings | undefined {
  return typeof store === 'object' && store !== null ? settings.get(store) : undefined;
}

const REDIS_CACHE_STORE_OPTIONS = knownOptions<RedisCacheStoreOptions>('redisCacheStore()', {
  client: ['redis'],
  subscriber: [],
  prefix: ['keyPrefix', 'namespace'],
  timeoutMs: ['timeout'],
  clock: [],
  policy: [],
  guard: [],
  leaseMs: [],
  leaseWaitMs: [],
  leasePollMs: [],
});

const GUARD_OPTIONS = knownOptions<NonNullable<RedisCacheStoreOptions['guard']>>('redisCacheStore()', {
  threshold: ['failureThreshold'],
  halfOpenAfterMs: ['cooldownMs', 'cooldown', 'resetTimeout'],
});

/**
 * A Redis tier (L2) for {@link cache}: pass it as `cache({ store: redisCacheStore({ client }) })`,
 * the toolkit's one way of handing a store to a primitive. It holds settings and the connection;
 * each cache given it keeps its own state, subscription and guard. Several caches may share one
 * store (and so one deadline timer) when their `name`s and prefixes keep them apart.
 *
 * Every Redis operation has a deadline (`timeoutMs`, core's `timeout`) and goes through the guard
 * (or your `policy`); a Redis that is slow or gone never blocks a call longer than that — the cache
 * carries on from memory and reports each failure through `onStoreError`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const validations = cache({ ttlMs: 60_000, store: redisCacheStore({ client, timeoutMs: 100 }) });
 * ```
 */
export function redisCacheStore(options: RedisCacheStoreOptions): RedisCacheStore {
  expectOptions('options', options, REDIS_CACHE_STORE_OPTIONS);
  if (options === undefined) throw invalidOption('options', options, 'an options object with `client`');
  const r = options;
  expectRedisClient('client', r.client);
  if (typeof r.client.duplicate !== 'function' && r.subscriber === undefined) {
    throw invalidOption('client', r.client, 'a connected node-redis client (createClient() from the `redis` package), or a `subscriber` beside it');
  }
  if (r.subscriber !== undefined && (typeof r.subscriber !== 'object' || r.subscriber === null || typeof r.subscriber.subscribe !== 'function')) {
    // A string here is most likely a Redis URL, which may carry a password: never quoted.
    throw invalidOption('subscriber', r.subscriber, 'a connected node-redis client', { redact: typeof r.subscriber === 'string' });
  }
  const prefix = r.prefix ?? 'bulwark:cache:';
  if (typeof prefix !== 'string') throw invalidOption('prefix', prefix, 'a string');
  const timeoutMs = r.timeoutMs ?? 250;
  expectNumber('timeoutMs', timeoutMs, { min: 1, max: 2 ** 31 - 1 });
  if (r.leaseMs !== undefined) expectInteger('leaseMs', r.leaseMs, { min: 1, ...WINDOW_BOUNDS });
  if (r.leaseWaitMs !== undefined) expectNumber('leaseWaitMs', r.leaseWaitMs, { min: 0 });
  if (r.leasePollMs !== undefined) expectNumber('leasePollMs', r.leasePollMs, { min: 1 });
  if (r.guard !== undefined) {
    expectOptions('guard', r.guard, GUARD_OPTIONS);
    if (r.guard.threshold !== undefined) expectInteger('guard.threshold', r.guard.threshold, { min: 1 });
    if (r.guard.halfOpenAfterMs !== undefined) expectNumber('guard.halfOpenAfterMs', r.guard.halfOpenAfterMs, { min: 0 });
  }
  if (r.policy !== undefined && typeof (r.policy as { execute?: unknown }).execute !== 'function') {
    throw invalidOption('policy', r.policy, 'a Policy (an object with execute)');
  }
  expectClock('clock', r.clock);
  const store: RedisCacheStore = Object.freeze({ kind: 'redis', prefix });
  settings.set(store, {
    redis: redisConnection('redisCacheStore', r.client, { timeoutMs, clock: r.clock }),
    prefix,
    subscriber: r.subscriber,
    policy: r.policy,
    threshold: r.guard?.threshold ?? 5,
    halfOpenAfterMs: r.guard?.halfOpenAfterMs ?? 5_000,
    leaseMs: r.leaseMs ?? 10_000,
    leaseWaitMs: r.leaseWaitMs ?? 3_000,
    leasePollMs: r.leasePollMs ?? 20,
  });
  return store;
}
