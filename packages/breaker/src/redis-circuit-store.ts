import { randomBytes } from 'node:crypto';
import {
  expectClock,
  expectInteger,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  type Clock,
} from '@bulwark/core';
import type { SharedAcquire, SharedCircuit, SharedCircuitStore, SharedVote } from './shared-circuit-store.js';
import { SharedStateError } from './shared-state-error.js';

/**
 * The part of a node-redis 6 client (`createClient()` from `redis`, connected) the store uses.
 * A cluster client works too: every script touches the keys of one circuit, which share a hash tag.
 */
export interface RedisCircuitClient {
  readonly isReady: boolean;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options for {@link redisCircuitStore}. */
export interface RedisCircuitStoreOptions {
  /** A connected node-redis 6 client; the store never opens or closes connections. */
  readonly client: RedisCircuitClient;
  /** Prefix of every key. @default 'bulwark:breaker:' */
  readonly prefix?: string;
  /**
   * Instances whose breaker must have opened (within `voteWindowMs`) before the circuit opens for
   * all. With 1, any instance opens it for everyone.
   * @default 2
   */
  readonly quorum?: number;
  /** How long, in milliseconds, an instance's vote counts. @default 60_000 */
  readonly voteWindowMs?: number;
  /**
   * How often, in milliseconds, a closed breaker that is making calls asks whether the shared
   * circuit is open. The bound on how late an instance learns of a shared opening is
   * `syncIntervalMs + timeoutMs` after its first call that follows the opening.
   * @default 1_000
   */
  readonly syncIntervalMs?: number;
  /** Deadline of every Redis operation, in milliseconds; past it the breaker goes on locally. @default 250 */
  readonly timeoutMs?: number;
  /** Expiry of the half-open probe lease, in milliseconds, should its holder die mid-probe. @default 30_000 */
  readonly leaseMs?: number;
  /** This process's identity among voters. @default random */
  readonly instanceId?: string;
  /** Time source for deadlines. @default systemClock */
  readonly clock?: Clock;
}

/** A {@link SharedCircuitStore} in Redis. Create one with {@link redisCircuitStore}. */
export interface RedisCircuitStore extends SharedCircuitStore {
  readonly instanceId: string;
  readonly quorum: number;
  /** The Redis keys of one circuit, for inspection and tests. */
  keys(name: string): { readonly open: string; readonly votes: string; readonly lease: string };
}

// Server time in every script: instances' clocks never have to agree.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// The open key holds the server time the shared break ends, and outlives it by the lease time:
// while it exists past that time the circuit is half-open for all, and a failed probe reopens it
// for all without a new quorum. A successful probe deletes it.
const UNTIL = `local openUntil = tonumber(redis.call('GET', KEYS[OPEN]) or '0')
`;

// KEYS: votes, open. ARGV: instance, voteWindowMs, quorum, breakMs, leaseMs.
const VOTE = `${NOW}${UNTIL.replace('OPEN', '2')}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local votes = redis.call('ZCARD', KEYS[1])
if openUntil > now then return {votes, openUntil - now} end
if votes >= tonumber(ARGV[3]) then
  local breakMs = tonumber(ARGV[4])
  redis.call('SET', KEYS[2], now + breakMs, 'PX', breakMs + tonumber(ARGV[5]))
  redis.call('DEL', KEYS[1])
  return {votes, breakMs}
end
return {votes, 0}`;

// KEYS: open.
const READ = `${NOW}${UNTIL.replace('OPEN', '1')}
if openUntil > now then return openUntil - now end
return 0`;

// KEYS: open, lease. ARGV: token, leaseMs, instance prefix of tokens. Replies {kind, remainingMs, shared}.
// A lease this instance left behind (a release that never arrived) is taken over, not waited out.
const ACQUIRE = `${NOW}${UNTIL.replace('OPEN', '1')}
if openUntil > now then return {'open', openUntil - now, 1} end
local shared = redis.call('EXISTS', KEYS[1])
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'probe', 0, shared} end
local holder = redis.call('GET', KEYS[2])
if holder and string.sub(holder, 1, #ARGV[3]) == ARGV[3] then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return {'probe', 0, shared}
end
return {'busy', redis.call('PTTL', KEYS[2]), shared}`;

// KEYS: open, lease, votes. ARGV: lease token, outcome, breakMs, leaseMs.
const RELEASE = `${NOW}
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if ARGV[2] == 'closed' then redis.call('DEL', KEYS[3], KEYS[1]) end
local breakMs = tonumber(ARGV[3])
if ARGV[2] == 'reopen' and breakMs > 0 then
  redis.call('SET', KEYS[1], now + breakMs, 'PX', breakMs + tonumber(ARGV[4]))
end
return 1`;

/** Braces would break the hash tag; `%` is escaped so the mapping stays one to one. */
const tagOf = (name: string): string => name.replace(/[%{}]/g, (c) => encodeURIComponent(c));

class RedisStore implements RedisCircuitStore {
  readonly instanceId: string;
  readonly quorum: number;
  readonly syncIntervalMs: number;
  readonly #client: RedisCircuitClient;
  /**
   * The client's view the scripts go through: without node-redis's per-command timer (an
   * AbortSignal.timeout per command that only guards the wait to be written); every call here has
   * its own deadline (`timeoutMs`).
   */
  readonly #commands: RedisCircuitClient;
  readonly #prefix: string;
  readonly #voteWindowMs: number;
  readonly #timeoutMs: number;
  readonly #leaseMs: number;
  readonly #clock: Clock;

  constructor(o: Required<Omit<RedisCircuitStoreOptions, 'clock'>> & { clock: Clock }) {
    this.#client = o.client;
    const withOptions = (o.client as { withCommandOptions?: (options: object) => RedisCircuitClient }).withCommandOptions;
    this.#commands = typeof withOptions === 'function' ? withOptions.call(o.client, { timeout: 0 }) : o.client;
    this.#prefix = o.prefix;
    this.quorum = o.quorum;
    this.#voteWindowMs = o.voteWindowMs;
    this.syncIntervalMs = o.syncIntervalMs;
    this.#timeoutMs = o.timeoutMs;
    this.#leaseMs = o.leaseMs;
    this.instanceId = o.instanceId;
    this.#clock = o.clock;
  }

  keys(name: string): { open: string; votes: string; lease: string } {
    const base = `${this.#prefix}{${tagOf(name)}}:`;
    return { open: `${base}open`, votes: `${base}votes`, lease: `${base}lease` };
  }

  bind(name: string): SharedCircuit {
    const keys = this.keys(name);
    const id = this.instanceId;
    const ms = (n: number): string => String(Math.max(1, Math.ceil(n)));
    const leaseMs = ms(this.#leaseMs);
    // Each acquisition has a token of its own, so that giving back a lease never frees a later one.
    let seq = 0;
    let token: string | undefined;
    const release = (leaseToken: string, outcome: string, breakMs: number): Promise<unknown> =>
      this.#eval('release', RELEASE, [keys.open, keys.lease, keys.votes], [
        leaseToken,
        outcome,
        String(Math.max(0, Math.ceil(breakMs))),
        leaseMs,
      ]);
    return {
      syncIntervalMs: this.syncIntervalMs,
      vote: async (breakMs): Promise<SharedVote> => {
        const reply = await this.#eval('vote', VOTE, [keys.votes, keys.open], [
          id,
          ms(this.#voteWindowMs),
          String(this.quorum),
          ms(breakMs),
          leaseMs,
        ]);
        const [votes, openForMs] = reply as [number, number];
        return { votes: Number(votes), openForMs: Math.max(0, Number(openForMs)) };
      },
      read: async (): Promise<number> => Math.max(0, Number(await this.#eval('sync', READ, [keys.open], []))),
      acquire: async (): Promise<SharedAcquire> => {
        const mine = `${id}:${++seq}`;
        // A lease granted after the deadline was given up on is nobody's: hand it straight back,
        // rather than make every instance wait `leaseMs` for it.
        const late = (reply: unknown): void => {
          if (Array.isArray(reply) && reply[0] === 'probe') release(mine, 'abandon', 0).catch(() => {});
        };
        const reply = await this.#eval('acquire', ACQUIRE, [keys.open, keys.lease], [mine, leaseMs, `${id}:`], late);
        const [kind, left, shared] = reply as [string, number, number];
        if (kind === 'probe') {
          token = mine;
          return { kind, shared: Number(shared) === 1 };
        }
        if (kind === 'open' || kind === 'busy') return { kind, remainingMs: Math.max(0, Number(left)) };
        throw new SharedStateError('acquire', `unexpected reply ${JSON.stringify(kind)}`);
      },
      release: async (outcome, breakMs): Promise<void> => {
        const held = token ?? '';
        token = undefined;
        await release(held, outcome, breakMs);
      },
    };
  }

  /**
   * One script, under the deadline; a client that is not connected fails at once. A reply that
   * arrives after the deadline goes to `onLate`, if given.
   */
  #eval(operation: string, script: string, keys: string[], args: string[], onLate?: (reply: unknown) => void): Promise<unknown> {
    const client = this.#client;
    if (!client.isReady) return Promise.reject(new SharedStateError(operation, 'the Redis client is not connected'));
    return new Promise((resolve, reject) => {
      let expired = false;
      const timer = this.#clock.setTimeout(
        () => {
          expired = true;
          reject(new SharedStateError(operation, `Redis did not answer within ${this.#timeoutMs} ms`));
        },
        this.#timeoutMs,
        { unref: true },
      );
      this.#commands.eval(script, { keys, arguments: args }).then(
        (reply) => {
          if (expired) {
            onLate?.(reply);
            return;
          }
          timer.clear();
          resolve(reply);
        },
        (error: unknown) => {
          timer.clear();
          reject(new SharedStateError(operation, error instanceof Error ? error.message : 'the command failed', error));
        },
      );
    });
  }
}

const REDIS_CIRCUIT_STORE_OPTIONS = knownOptions<RedisCircuitStoreOptions>('redisCircuitStore()', {
  client: [],
  prefix: [],
  quorum: [],
  voteWindowMs: [],
  syncIntervalMs: [],
  timeoutMs: [],
  leaseMs: [],
  instanceId: [],
  clock: [],
});

/**
 * Shares circuit state between processes through Redis (node-redis 6, a client you connect).
 *
 * - A breaker that opens locally votes; when `quorum` distinct instances have voted within
 *   `voteWindowMs`, the circuit opens for all of them for the voter's break. One sick instance opens
 *   only its own circuit.
 * - Closed breakers check the shared circuit every `syncIntervalMs` while they make calls, so they
 *   see a shared opening within `syncIntervalMs + timeoutMs` of their first call after it.
 * - Half-open episodes hold a lease (`SET NX PX leaseMs`): one instance probes at a time.
 * - Every key expires; every operation has a deadline (`timeoutMs`); a slow, absent or
 *   disconnected Redis never blocks a call in the closed state, and a half-open probe waits at most
 *   `timeoutMs` for the lease. Failures are reported as the breaker's `onSharedStateError`.
 *
 * Decisions are atomic Lua scripts on the server's clock, each touching the keys of one circuit,
 * which share a hash tag — so it works on Redis Cluster.
 *
 * @example
 * ```ts
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const shared = redisCircuitStore({ client: redis, quorum: 2 });
 * const breaker = circuitBreaker({ name: 'payments', shared });
 * ```
 */
export function redisCircuitStore(options: RedisCircuitStoreOptions): RedisCircuitStore {
  expectOptions('options', options, REDIS_CIRCUIT_STORE_OPTIONS);
  if (options === undefined) throw invalidOption('options', options, 'an options object with `client`');
  const { client } = options;
  if (typeof client !== 'object' || client === null || typeof (client as RedisCircuitClient).eval !== 'function') {
    throw invalidOption('client', client, 'a connected node-redis 6 client');
  }
  const prefix = options.prefix ?? 'bulwark:breaker:';
  if (typeof prefix !== 'string') throw invalidOption('prefix', prefix, 'a string');
  const quorum = options.quorum ?? 2;
  expectInteger('quorum', quorum, { min: 1 });
  const voteWindowMs = options.voteWindowMs ?? 60_000;
  expectNumber('voteWindowMs', voteWindowMs, { min: 1 });
  const syncIntervalMs = options.syncIntervalMs ?? 1_000;
  expectNumber('syncIntervalMs', syncIntervalMs, { min: 0 });
  const timeoutMs = options.timeoutMs ?? 250;
  expectNumber('timeoutMs', timeoutMs, { min: 1, max: 2 ** 31 - 1 });
  const leaseMs = options.leaseMs ?? 30_000;
  expectNumber('leaseMs', leaseMs, { min: 1 });
  const instanceId = options.instanceId ?? randomBytes(8).toString('hex');
  if (typeof instanceId !== 'string' || instanceId === '') throw invalidOption('instanceId', instanceId, 'a non-empty string');
  expectClock('clock', options.clock);
  return new RedisStore({
    client,
    prefix,
    quorum,
    voteWindowMs,
    syncIntervalMs,
    timeoutMs,
    leaseMs,
    instanceId,
    clock: options.clock ?? systemClock,
  });
}
