import { isRedisClient } from './internal/is-redis-client.js';
import { invalidOption } from './validate.js';

/** Keys and arguments of a script call, as node-redis takes them. */
export interface RedisScriptArguments {
  keys: string[];
  arguments: string[];
}

// node-redis hands a Buffer in buffer mode; the stores subscribe in string mode.
type PubSubListener = (message: any, channel: any) => void;

/**
 * The Redis client every Bulwark store takes: the part of node-redis 6 they use, described by its
 * shape so that core depends on no Redis package. A connected `createClient()` or `createCluster()`
 * from `redis` fits as is; a store never opens, closes or reconfigures the client you pass.
 *
 * Stores send their commands through the client's `withCommandOptions({ timeout: 0 })` view (see
 * {@link redisCommandView}) and a standalone client's raw `sendCommand`, when present: each store
 * call has its own deadline.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client: RedisClient = await createClient({ url: process.env.REDIS_URL }).connect();
 * ```
 */
export interface RedisClient {
  /** True while connected and ready for commands; a store does not send otherwise. */
  readonly isReady: boolean;
  /** True from `connect()` until `close()` or `destroy()`. */
  readonly isOpen: boolean;
  get(key: string): Promise<unknown>;
  mGet(keys: string[]): Promise<unknown>;
  set(key: string, value: string, options?: { NX?: boolean; PX?: number; PXAT?: number }): Promise<unknown>;
  eval(script: string, options: RedisScriptArguments): Promise<unknown>;
  evalSha(sha: string, options: RedisScriptArguments): Promise<unknown>;
  /** A standalone client's `sendCommand(args, options)`; a Cluster client's takes other arguments. */
  sendCommand?(...args: never[]): Promise<unknown>;
  /** A view of the same connection with other command options. */
  withCommandOptions?(options: { timeout: number }): unknown;
  duplicate(): RedisClient;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
  subscribe(channel: string, listener: PubSubListener): Promise<unknown>;
  unsubscribe(channel?: string, listener?: PubSubListener): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * Whether `client` is a Redis Cluster client (`createCluster()`), which routes each command by its
 * first key and has no single connection; the one test every store uses.
 */
export function isRedisCluster(client: RedisClient): boolean {
  if (typeof client !== 'object' || client === null) throw invalidClient('client', client);
  return 'masters' in client;
}

const views = new WeakMap<RedisClient, RedisClient>();

/**
 * The client as a store sends its commands: without node-redis's per-command timer. node-redis arms
 * one per command (an `AbortSignal.timeout`, 5 s by default) that only guards the wait to be
 * written, at about 15 µs a command; every store call already has its own deadline (core's
 * `timeout`, one timer for all calls in flight). The same connection and listeners; one view per
 * client, made once.
 */
export function redisCommandView(client: RedisClient): RedisClient {
  let view = views.get(client);
  if (view === undefined) {
    if (typeof client !== 'object' || client === null) throw invalidClient('client', client);
    const withOptions = client.withCommandOptions;
    view = typeof withOptions === 'function' ? (withOptions.call(client, { timeout: 0 }) as RedisClient) : client;
    views.set(client, view);
  }
  return view;
}

/** Asserts `value` looks like a {@link RedisClient} (it has `evalSha` and `eval`). */
export function expectRedisClient(field: string, value: unknown): asserts value is RedisClient {
  if (!isRedisClient(value)) throw invalidClient(field, value);
}

function invalidClient(field: string, value: unknown): TypeError {
  // A string here is most often a Redis URL, which may carry a password: it is described, not shown.
  if (typeof value === 'string') {
    return invalidOption(field, value, 'a connected node-redis client, not a URL: `createClient({ url })` from `redis`, then `connect()`', { redact: true });
  }
  return invalidOption(field, value, 'a connected node-redis client (createClient() or createCluster() from `redis`)');
}
