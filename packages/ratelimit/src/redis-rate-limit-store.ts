import {
  expectClock,
  expectInteger,
  expectOptions,
  expectRedisClient,
  invalidOption,
  knownOptions,
  redisConnection,
  redisScript,
  type RedisConnection,
  type RedisScript,
  type RedisStoreOptions,
} from '@bulwark/core';
import type { LearnOutcome, Lesson } from './internal/learning.js';
import { decideArguments, decideScript, decodeDecision, decodeLearningDecision, HOLD_SCRIPT, LEARN_SCRIPT } from './internal/redis-scripts.js';
import type { LimitSet, RateLimitStore, StoreDecision } from './rate-limit-store.js';

/**
 * Options for {@link redisRateLimitStore}: core's `RedisStoreOptions`. `client` is a connected
 * node-redis 6 client or Cluster client (a Cluster routes each script by its first key; all keys of
 * one decision share a hash slot); `prefix` defaults to `'bulwark:ratelimit:'`; `timeoutMs`, the
 * deadline of every Redis call (past it the limiter decides locally, see `fallbackShare`), to 250.
 */
export type RedisRateLimitStoreOptions = RedisStoreOptions;

/** A {@link RateLimitStore} in Redis; see {@link redisRateLimitStore}. */
export interface RedisRateLimitStore extends RateLimitStore {
  readonly kind: 'redis';
  /** The key prefix. */
  readonly prefix: string;
}

const ignore = (): void => undefined;

/** A learn script's reply: `{ hold ms, interval or '', probing 1/0 }`. */
const toLearnOutcome = (reply: unknown): LearnOutcome => {
  const r = reply as [number, string, number];
  const interval = String(r[1]);
  return { holdMs: Number(r[0]), intervalMs: interval === '' ? undefined : Number(interval), probing: Number(r[2]) === 1 };
};

interface Decider {
  readonly script: RedisScript;
  /** The script of one unit (cost and take 1, the usual decision), which takes no arguments. */
  readonly scriptForOne: RedisScript;
  /** After `prefix{key}:`, in the script's KEYS order. */
  readonly suffixes: readonly string[];
  readonly read: (reply: unknown) => StoreDecision;
}

/** The arguments of a script of one unit (the connection copies them into each command; nothing changes them). */
const NO_ARGUMENTS: string[] = [];

const makeDecider = (set: LimitSet): Decider => ({
  script: redisScript(decideScript(set.limits, set.learn)),
  scriptForOne: redisScript(decideScript(set.limits, set.learn, true)),
  suffixes: [...(set.learn === undefined ? ['hold'] : ['hold', 'learn', 'probe']), ...set.limits.map((l) => l.key)],
  read: set.learn === undefined ? decodeDecision : decodeLearningDecision,
});

const HOLD = redisScript(HOLD_SCRIPT);
const LEARN = redisScript(LEARN_SCRIPT);

class Redis implements RedisRateLimitStore {
  readonly kind = 'redis' as const;
  readonly prefix: string;
  readonly #redis: RedisConnection;
  /** What each limit set decides with, made once: its generated script, its keys' suffixes, its reply's reader. */
  readonly #deciders = new WeakMap<LimitSet, Decider>();

  constructor(redis: RedisConnection, prefix: string) {
    this.#redis = redis;
    this.prefix = prefix;
  }

  decide(key: string, set: LimitSet, cost: number, take: number): Promise<StoreDecision> {
    let decider = this.#deciders.get(set);
    if (decider === undefined) this.#deciders.set(set, (decider = makeDecider(set)));
    const base = `${this.prefix}{${key}}:`;
    const suffixes = decider.suffixes;
    const keys: string[] = [];
    for (const suffix of suffixes) keys.push(base + suffix);
    if (cost === 1 && take === 1) return this.#redis.script('decide', decider.scriptForOne, keys, NO_ARGUMENTS, decider.read);
    return this.#redis.script('decide', decider.script, keys, decideArguments(set.limits, cost, take), decider.read);
  }

  learn(key: string, lesson: Lesson): Promise<LearnOutcome> {
    const base = `${this.prefix}{${key}}:`;
    const args = [
      lesson.kind,
      String(Math.ceil(lesson.holdMs)),
      String(lesson.strike?.baseMs ?? 0),
      String(lesson.strike?.maxMs ?? 0),
      lesson.clearStrikes ? '1' : '0',
      String(lesson.intervalMs),
      String(lesson.ttlMs),
      String(lesson.limit),
    ];
    return this.#redis.script('learn', LEARN, [`${base}hold`, `${base}strikes`, `${base}learn`, `${base}probe`, `${base}serial`], args, toLearnOutcome);
  }

  hold(key: string, ms: number): Promise<void> {
    return this.#redis.script('hold', HOLD, this.#holdKeys(key), ['hold', String(Math.ceil(ms))], ignore);
  }

  strike(key: string, baseMs: number, maxMs: number): Promise<number> {
    return this.#redis.script('strike', HOLD, this.#holdKeys(key), ['strike', String(baseMs), String(maxMs)], Number);
  }

  clearStrikes(key: string): Promise<void> {
    return this.#redis.script('clear', HOLD, this.#holdKeys(key), ['clear'], ignore);
  }

  #holdKeys(key: string): string[] {
    const base = `${this.prefix}{${key}}:`;
    return [`${base}hold`, `${base}strikes`];
  }
}

const REDIS_RATE_LIMIT_STORE_OPTIONS = knownOptions<RedisRateLimitStoreOptions>('redisRateLimitStore()', {
  client: ['redis', 'storeClient'],
  prefix: ['keyPrefix'],
  timeoutMs: ['timeout'],
  clock: [],
});

/**
 * Creates a {@link RateLimitStore} in Redis, for `rateLimiter({ store })`, shared by every process that uses the same Redis and
 * prefix. Each decision is one atomic Lua script (generated once per set of limits, with their
 * numbers built in; called by SHA; after NOSCRIPT, run once with EVAL, which loads it again), timed
 * by Redis `TIME` only — no client clock skew — over one key per limit, all in one hash slot
 * (`prefix{key}:...`) so it works on Redis Cluster.
 *
 * Every call has a deadline (`timeoutMs`, core's `timeout`); the limiter decides locally while Redis
 * fails, reporting each `StoreUnavailableError` through `onStoreError`, and the shared state takes
 * over again when it answers.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const limiter = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store: redisRateLimitStore({ client }) });
 * ```
 */
export function redisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  expectOptions('options', options, REDIS_RATE_LIMIT_STORE_OPTIONS);
  if (options === undefined) throw invalidOption('options', options, 'an options object with `client`');
  expectRedisClient('client', options.client);
  const prefix = options.prefix ?? 'bulwark:ratelimit:';
  if (typeof prefix !== 'string') throw invalidOption('prefix', prefix, 'a string');
  const timeoutMs = options.timeoutMs ?? 250;
  expectInteger('timeoutMs', timeoutMs, { min: 1 });
  expectClock('clock', options.clock);
  const redis = redisConnection('redisRateLimitStore', options.client, { timeoutMs, clock: options.clock });
  return new Redis(redis, prefix);
}
