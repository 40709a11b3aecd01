import { createHash } from 'node:crypto';
import {
  expectClock,
  expectInteger,
  expectOptions,
  invalidOption,
  isTimeoutError,
  knownOptions,
  systemClock,
  timeout,
  type Clock,
  type TimeoutPolicy,
} from '@bulwark/core';
import { decideScript, decodeDecision, HOLD_SCRIPT } from './internal/redis-scripts.js';
import type { LimitSet, RateLimitStore, StoreDecision } from './rate-limit-store.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

/** Keys and arguments of a script call, as node-redis takes them. */
interface RedisScriptCall {
  keys: string[];
  arguments: string[];
}

/**
 * The part of a node-redis 6 client the store uses: a connected `createClient()` or
 * `createCluster()` from `redis` fits as is (a cluster routes each script by its first key; all
 * keys of one decision share a hash slot).
 */
export interface RedisClientLike {
  evalSha(sha: string, call: RedisScriptCall): Promise<unknown>;
  eval(script: string, call: RedisScriptCall): Promise<unknown>;
  /**
   * A standalone client's raw `sendCommand(args, options)`: used instead of `evalSha`/`eval` when
   * present (and the client is not a cluster), which skips node-redis's command layer and its
   * per-command timer (`options` is `{ timeout: 0 }`; the store's own deadline applies).
   */
  sendCommand?(...args: never[]): Promise<unknown>;
  /** When `false`, the store does not send (the command would wait in the offline queue). */
  readonly isReady?: boolean;
}

/** Options for {@link redisStore}. */
export interface RedisStoreOptions {
  /** A connected node-redis 6 client; the store never opens or closes it. */
  readonly client: RedisClientLike;
  /** Prefix of every key the store writes. @default 'bulwark:ratelimit:' */
  readonly prefix?: string;
  /**
   * The deadline of every Redis call, in milliseconds. A call past it counts as a failure, and the
   * limiter decides locally (see `fallbackShare` in {@link RateLimiterOptions}).
   * @default 250
   */
  readonly timeoutMs?: number;
  /** Time source for the deadlines (decisions use Redis `TIME`). @default systemClock */
  readonly clock?: Clock;
}

/** A {@link RateLimitStore} in Redis; see {@link redisStore}. */
export interface RedisStore extends RateLimitStore {
  readonly kind: 'redis';
  /** The key prefix. */
  readonly prefix: string;
}

interface Script {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');
const ignore = (): void => undefined;

/** A decision script's reply as a store decision. */
const toStoreDecision = (reply: unknown): StoreDecision => {
  const d = decodeDecision(reply);
  return { allowed: d.allowed, granted: d.granted, retryAfterMs: d.retryAfterMs, remaining: d.remaining, decidedAt: d.decidedAt, fallback: false };
};

/**
 * node-redis command options for the store's calls: no per-command timer. node-redis arms one per
 * command (an AbortSignal.timeout, 5 s by default) that only guards the wait to be written; the
 * store's deadline covers every call with one timer.
 */
const NO_COMMAND_TIMEOUT = Object.freeze({ timeout: 0 });

/** Why a call was not sent: the client said it is not ready. */
const NOT_CONNECTED = Symbol('not connected');

class Redis implements RedisStore {
  readonly kind = 'redis' as const;
  readonly prefix: string;
  readonly #client: RedisClientLike;
  /** The client's view for evalSha/eval: without node-redis's per-command timer (see NO_COMMAND_TIMEOUT). */
  readonly #commands: RedisClientLike;
  /** The raw command path of a standalone client, or undefined (cluster, or a client without it). */
  readonly #raw: ((args: string[]) => Promise<unknown>) | undefined;
  readonly #timeoutMs: number;
  readonly #deadline: TimeoutPolicy;
  readonly #hold = script(HOLD_SCRIPT);
  /** The decision script of each limit set, generated and hashed once. */
  readonly #decideScripts = new WeakMap<LimitSet, Script>();

  constructor(client: RedisClientLike, prefix: string, timeoutMs: number, clock: Clock) {
    this.#client = client;
    const withOptions = (client as { withCommandOptions?: (options: object) => RedisClientLike }).withCommandOptions;
    this.#commands = typeof withOptions === 'function' ? withOptions.call(client, NO_COMMAND_TIMEOUT) : client;
    const sendCommand = client.sendCommand as ((args: string[], options: object) => Promise<unknown>) | undefined;
    // A cluster's sendCommand takes (firstKey, isReadonly, args): leave routing to evalSha/eval there.
    // `timeout: 0` turns off node-redis's own per-command timeout for these calls (an AbortSignal
    // and a timer each, about 15 µs a call here): the store's deadline, one timer for all calls in
    // flight, is the shorter one anyway.
    this.#raw =
      typeof sendCommand === 'function' && !('masters' in client) ? (args) => sendCommand.call(client, args, NO_COMMAND_TIMEOUT) : undefined;
    this.prefix = prefix;
    this.#timeoutMs = timeoutMs;
    this.#deadline = timeout(timeoutMs, { clock, name: 'redisStore' });
  }

  decide(key: string, set: LimitSet, cost: number, take: number): Promise<StoreDecision> {
    const base = `${this.prefix}{${key}}:`;
    let decide = this.#decideScripts.get(set);
    if (decide === undefined) {
      decide = script(decideScript(set.limits));
      this.#decideScripts.set(set, decide);
    }
    const keys = [`${base}hold`];
    for (const l of set.limits) keys.push(`${base}${l.key}`);
    return this.#run('decide', decide, keys, [String(cost), String(take)], toStoreDecision);
  }

  hold(key: string, ms: number): Promise<void> {
    return this.#run('hold', this.#hold, this.#holdKeys(key), ['hold', String(Math.ceil(ms))], ignore);
  }

  strike(key: string, baseMs: number, maxMs: number): Promise<number> {
    return this.#run('strike', this.#hold, this.#holdKeys(key), ['strike', String(baseMs), String(maxMs)], Number);
  }

  clearStrikes(key: string): Promise<void> {
    return this.#run('clear', this.#hold, this.#holdKeys(key), ['clear'], ignore);
  }

  #holdKeys(key: string): string[] {
    const base = `${this.prefix}{${key}}:`;
    return [`${base}hold`, `${base}strikes`];
  }

  /**
   * EVALSHA under the deadline, its reply read by `read`. On NOSCRIPT (a restarted or flushed
   * server, or a cluster node that never saw the script) EVAL runs the script, which also caches it
   * there, so later calls go by SHA. One promise step from the reply to the answer.
   */
  #run<T>(operation: string, s: Script, keys: string[], args: string[], read: (reply: unknown) => T): Promise<T> {
    const raw = this.#raw;
    let bySha: (client: RedisClientLike) => Promise<unknown>;
    let byScript: (client: RedisClientLike) => Promise<unknown>;
    if (raw !== undefined) {
      const tail = [String(keys.length), ...keys, ...args];
      bySha = () => raw(['EVALSHA', s.sha, ...tail]);
      byScript = () => raw(['EVAL', s.source, ...tail]);
    } else {
      const call: RedisScriptCall = { keys, arguments: args };
      bySha = (c) => c.evalSha(s.sha, call);
      byScript = (c) => c.eval(s.source, call);
    }
    return this.#send(bySha).then(read, (error: unknown) => {
      if (!isNoScript(error)) throw this.#unavailable(operation, error);
      return this.#send(byScript).then(read, (again: unknown) => {
        throw this.#unavailable(operation, again);
      });
    });
  }

  /** Sends under the deadline: every call of this store shares one timer (core's `timeout`). */
  #send(command: (client: RedisClientLike) => Promise<unknown>): Promise<unknown> {
    if (this.#client.isReady === false) return Promise.reject(NOT_CONNECTED);
    const commands = this.#commands;
    return this.#deadline.execute(() => command(commands));
  }

  #unavailable(operation: string, error: unknown): StoreUnavailableError {
    if (error === NOT_CONNECTED) return new StoreUnavailableError(operation, 'the Redis client is not connected');
    if (isTimeoutError(error)) return new StoreUnavailableError(operation, `Redis did not answer within ${this.#timeoutMs} ms`);
    return new StoreUnavailableError(operation, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

const REDIS_STORE_OPTIONS = knownOptions<RedisStoreOptions>('redisStore()', {
  client: ['redis', 'storeClient'],
  prefix: ['keyPrefix'],
  timeoutMs: [],
  clock: [],
});

/**
 * Creates a {@link RateLimitStore} in Redis, shared by every process that uses the same Redis and
 * prefix. Each decision is one atomic Lua script (generated once per set of limits, with their
 * numbers built in; called by SHA; after NOSCRIPT, run once with EVAL, which loads it again), timed
 * by Redis `TIME` only — no client clock skew — over one key per limit, all in one hash slot
 * (`prefix{key}:...`) so it works on Redis Cluster.
 *
 * Every call has a deadline (`timeoutMs`); the limiter decides locally while Redis fails, and the
 * shared state takes over again when it answers.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const limiter = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store: redisStore({ client }) });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  expectOptions('options', options, REDIS_STORE_OPTIONS);
  if (options === undefined) throw invalidOption('options', options, 'an options object with `client`');
  if (typeof options.client?.evalSha !== 'function' || typeof options.client.eval !== 'function') {
    throw invalidOption('client', options.client, 'a connected node-redis client (with evalSha and eval)');
  }
  const prefix = options.prefix ?? 'bulwark:ratelimit:';
  if (typeof prefix !== 'string') throw invalidOption('prefix', prefix, 'a string');
  const timeoutMs = options.timeoutMs ?? 250;
  expectInteger('timeoutMs', timeoutMs, { min: 1 });
  expectClock('clock', options.clock);
  return new Redis(options.client, prefix, timeoutMs, options.clock ?? systemClock);
}
