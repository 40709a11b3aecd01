import type { Clock } from './clock.js';
import { expectRedisClient, isRedisCluster, redisCommandView, type RedisClient, type RedisScriptArguments } from './redis-client.js';
import type { RedisScript } from './redis-script.js';
import { StoreUnavailableError } from './store-unavailable-error.js';
import { isTimeoutError } from './timeout-error.js';
import { timeout, type TimeoutPolicy } from './timeout.js';
import { expectName, expectOptions, invalidOption, knownOptions } from './validate.js';

/**
 * The options every Redis store of the toolkit takes (`redisCacheStore`, `redisCircuitStore`,
 * `redisRateLimitStore`), each adding its own. The store goes to its primitive as `store`:
 * `rateLimiter({ limits, store: redisRateLimitStore({ client }) })`.
 */
export interface RedisStoreOptions {
  /** A connected node-redis 6 client or Cluster client; the store never opens, closes or reconfigures it. */
  readonly client: RedisClient;
  /** Prefix of every key the store writes. @default `'bulwark:<kind>:'`, per store */
  readonly prefix?: string;
  /**
   * The deadline of every Redis call, in milliseconds. A call past it fails with
   * `StoreUnavailableError`, and the primitive decides locally and reports it through `onStoreError`.
   * @default 250
   */
  readonly timeoutMs?: number;
  /** Time source of the deadlines (decisions that need time use the Redis server's). @default systemClock */
  readonly clock?: Clock;
}

/**
 * How a store talks to Redis: every call under one deadline (core's {@link timeout}, one timer for
 * all calls in flight), through the client's view without node-redis's per-command timer, failing at
 * once when the client is not ready, every failure a {@link StoreUnavailableError}. Made by
 * {@link redisConnection}; for authors of stores.
 */
export interface RedisConnection {
  /** The client as given. */
  readonly client: RedisClient;
  /** The client's view commands go through (see `redisCommandView`). */
  readonly commands: RedisClient;
  /** Whether the client is a Cluster client. */
  readonly cluster: boolean;
  /** The deadline of each call, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Sends what `send` sends, under the deadline. Rejects with {@link StoreUnavailableError}. A reply
   * that comes after the deadline goes to `onLate`, if given (to give back a lock taken too late).
   */
  call<T>(operation: string, send: (commands: RedisClient) => Promise<T>, onLate?: (reply: T) => void): Promise<T>;
  /**
   * Runs a script by its SHA (`EVALSHA`), and by its text (`EVAL`) after a `NOSCRIPT` reply (a
   * restarted or flushed server, a Cluster node that never saw it), each under the deadline; `read`
   * turns the reply into the answer in the same promise step. Rejects with {@link StoreUnavailableError}.
   */
  script<T>(
    operation: string,
    script: RedisScript,
    keys: string[],
    args: string[],
    read: (reply: unknown) => T,
    onLate?: (reply: unknown) => void,
  ): Promise<T>;
  /**
   * Sends a script by SHA, and by text after `NOSCRIPT`, with no deadline of its own: for several
   * commands under one {@link RedisConnection.call}. Rejects with the driver's error.
   */
  evalScript(commands: RedisClient, script: RedisScript, keys: string[], args: string[]): Promise<unknown>;
  /** `error` as this store's {@link StoreUnavailableError} (see `StoreUnavailableError.from`). */
  failure(operation: string, error: unknown): StoreUnavailableError;
}

/** Why a call was not sent: the client said it is not ready. */
const NOT_CONNECTED = Symbol('not connected');

const NO_COMMAND_TIMEOUT = Object.freeze({ timeout: 0 });

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

class Connection implements RedisConnection {
  readonly client: RedisClient;
  readonly commands: RedisClient;
  readonly cluster: boolean;
  readonly timeoutMs: number;
  readonly #store: string;
  readonly #deadline: TimeoutPolicy;
  /** A standalone client's raw command path, which skips node-redis's command layer; undefined on a Cluster. */
  readonly #raw: ((args: string[]) => Promise<unknown>) | undefined;

  constructor(store: string, client: RedisClient, timeoutMs: number, clock: Clock | undefined) {
    this.#store = store;
    this.client = client;
    this.commands = redisCommandView(client);
    this.cluster = isRedisCluster(client);
    this.timeoutMs = timeoutMs;
    this.#deadline = timeout(timeoutMs, clock === undefined ? { name: store } : { name: store, clock });
    const sendCommand = client.sendCommand as ((args: string[], options: object) => Promise<unknown>) | undefined;
    // A Cluster's sendCommand takes (firstKey, isReadonly, args): there EVALSHA/EVAL route by key.
    this.#raw =
      typeof sendCommand === 'function' && !this.cluster ? (args) => sendCommand.call(client, args, NO_COMMAND_TIMEOUT) : undefined;
  }

  call<T>(operation: string, send: (commands: RedisClient) => Promise<T>, onLate?: (reply: T) => void): Promise<T> {
    return this.#send(send, onLate).catch((error: unknown) => {
      throw this.failure(operation, error);
    });
  }

  script<T>(
    operation: string,
    script: RedisScript,
    keys: string[],
    args: string[],
    read: (reply: unknown) => T,
    onLate?: (reply: unknown) => void,
  ): Promise<T> {
    const [bySha, byText] = this.#senders(script, keys, args);
    return this.#send(bySha, onLate).then(read, (error: unknown) => {
      if (!isNoScript(error)) throw this.failure(operation, error);
      return this.#send(byText, onLate).then(read, (again: unknown) => {
        throw this.failure(operation, again);
      });
    });
  }

  evalScript(commands: RedisClient, script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    const [bySha, byText] = this.#senders(script, keys, args);
    return bySha(commands).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return byText(commands);
    });
  }

  /** The two ways of sending a script: by SHA, and by its text. */
  #senders(script: RedisScript, keys: string[], args: string[]): [(c: RedisClient) => Promise<unknown>, (c: RedisClient) => Promise<unknown>] {
    const raw = this.#raw;
    if (raw !== undefined) {
      // One array, built in place; the EVAL copy only after a NOSCRIPT.
      const command = ['EVALSHA', script.sha, String(keys.length)];
      for (const key of keys) command.push(key);
      for (const arg of args) command.push(arg);
      return [
        () => raw(command),
        () => {
          const again = command.slice();
          again[0] = 'EVAL';
          again[1] = script.source;
          return raw(again);
        },
      ];
    }
    const call: RedisScriptArguments = { keys, arguments: args };
    return [(c) => c.evalSha(script.sha, call), (c) => c.eval(script.source, call)];
  }

  failure(operation: string, error: unknown): StoreUnavailableError {
    if (error === NOT_CONNECTED) return new StoreUnavailableError(this.#store, operation, 'the Redis client is not connected');
    return StoreUnavailableError.from(this.#store, operation, error);
  }

  /** Sends under the deadline; rejects with the raw failure. */
  #send<T>(send: (commands: RedisClient) => Promise<T>, onLate: ((reply: T) => void) | undefined): Promise<T> {
    if (this.client.isReady === false) return Promise.reject(NOT_CONNECTED);
    const commands = this.commands;
    if (onLate === undefined) return this.#deadline.execute(() => send(commands));
    let late = false;
    return this.#deadline
      .execute(() => {
        const pending = send(commands);
        pending.then(
          (reply) => {
            if (late) onLate(reply);
          },
          () => {},
        );
        return pending;
      })
      .catch((error: unknown) => {
        // The deadline fired on a timer; the reply, if any, comes on a later turn.
        if (isTimeoutError(error)) late = true;
        throw error;
      });
  }
}

const CONNECTION_OPTIONS = knownOptions<{ readonly timeoutMs: number; readonly clock?: Clock | undefined }>('redisConnection()', {
  timeoutMs: ['timeout', 'commandTimeout'],
  clock: [],
});

/**
 * The connection a Redis store talks through: the one place for the node-redis plumbing of the
 * toolkit (the deadline, the view without per-command timers, the raw path of a standalone client,
 * `EVALSHA` with its `NOSCRIPT` fallback, Cluster detection, and the mapping of every failure to
 * {@link StoreUnavailableError}). `store` names the store in errors (`redisRateLimitStore`).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const COUNT = redisScript("return redis.call('INCR', KEYS[1])");
 * const key = 'tenant-1';
 * const redis = redisConnection('redisQuotaStore', client, { timeoutMs: 250 });
 * const used = await redis.script('count', COUNT, [`quota:{${key}}`], [], Number);
 * ```
 */
export function redisConnection(
  store: string,
  client: RedisClient,
  options: { readonly timeoutMs: number; readonly clock?: Clock | undefined },
): RedisConnection {
  expectName(store, 'store');
  expectRedisClient('client', client);
  expectOptions('options', options, CONNECTION_OPTIONS);
  // No default deadline here: each store says its own (250 ms, documented on its options).
  if (options === undefined) throw invalidOption('options', options, 'an options object with `timeoutMs`');
  return new Connection(store, client, options.timeoutMs, options.clock);
}
