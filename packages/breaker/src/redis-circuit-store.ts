import { randomBytes } from 'node:crypto';
import {
  expectClock,
  expectInteger,
  expectNumber,
  expectOptions,
  expectRedisClient,
  invalidOption,
  knownOptions,
  MAX_DURATION_MS,
  redisConnection,
  redisScript,
  type RedisConnection,
  type RedisStoreOptions,
} from '@bulwark/core';
import type { CircuitStore, SharedAcquire, SharedCircuit, SharedVote } from './circuit-store.js';

/**
 * Options for {@link redisCircuitStore}: core's `RedisStoreOptions` (`client`, `prefix`,
 * `timeoutMs`, `clock`) and the quorum, vote and lease settings.
 *
 * `client` is a connected node-redis 6 client or Cluster client: every script touches the keys of
 * one circuit, which share a hash tag. `prefix` defaults to `'bulwark:breaker:'`; `timeoutMs`, the
 * deadline of every Redis operation (past it the breaker goes on locally), to 250.
 */
export interface RedisCircuitStoreOptions extends RedisStoreOptions {
  /**
   * Instances whose breaker must have opened (within `voteWindowMs`) before the circuit opens for
   * all. With 1, any instance opens it for everyone.
   * @default 2
   */
  readonly quorum?: number;
  /** How long, in milliseconds, an instance's vote counts: at most 100 years. @default 60_000 */
  readonly voteWindowMs?: number;
  /**
   * How often, in milliseconds, a closed breaker that is making calls asks whether the shared
   * circuit is open. The bound on how late an instance learns of a shared opening is
   * `syncIntervalMs + timeoutMs` after its first call that follows the opening.
   * @default 1_000
   */
  readonly syncIntervalMs?: number;
  /** Expiry of the half-open probe lease, in milliseconds, should its holder die mid-probe: at most 100 years. @default 30_000 */
  readonly leaseMs?: number;
  /** This process's identity among voters; any string, told apart exactly from every other. @default random */
  readonly instanceId?: string;
}

/** A {@link CircuitStore} in Redis. Create one with {@link redisCircuitStore}. */
export interface RedisCircuitStore extends CircuitStore {
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
const VOTE = redisScript(`${NOW}${UNTIL.replace('OPEN', '2')}
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
return {votes, 0}`);

// KEYS: open.
const READ = redisScript(`${NOW}${UNTIL.replace('OPEN', '1')}
if openUntil > now then return openUntil - now end
return 0`);

// KEYS: open, lease. ARGV: token, leaseMs, instance. Replies {kind, remainingMs, shared}.
// A lease this instance left behind (a release that never arrived) is taken over, not waited out.
// Tokens are `<instance>:<sequence>`: the holder is everything before the last colon, compared
// whole, so that no instance id passes for another that starts with it ('web' and 'web:2').
const ACQUIRE = redisScript(`${NOW}${UNTIL.replace('OPEN', '1')}
if openUntil > now then return {'open', openUntil - now, 1} end
local shared = redis.call('EXISTS', KEYS[1])
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'probe', 0, shared} end
local holder = redis.call('GET', KEYS[2])
if holder and string.match(holder, '^(.*):%d+$') == ARGV[3] then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return {'probe', 0, shared}
end
return {'busy', redis.call('PTTL', KEYS[2]), shared}`);

// KEYS: open, lease, votes. ARGV: lease token, outcome, breakMs, leaseMs.
const RELEASE = redisScript(`${NOW}
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if ARGV[2] == 'closed' then redis.call('DEL', KEYS[3], KEYS[1]) end
local breakMs = tonumber(ARGV[3])
if ARGV[2] == 'reopen' and breakMs > 0 then
  redis.call('SET', KEYS[1], now + breakMs, 'PX', breakMs + tonumber(ARGV[4]))
end
return 1`);

// Redis keeps an expiry exactly, and Lua prints a time as an integer, only below some 3,000 years
// from now: every duration the scripts take is kept within core's MAX_DURATION_MS, 100 years (a
// longer break is cut to it).
const MAX_DURATION_WHY = '100 years, the longest duration the Redis store keeps exactly';
const ms = (n: number): string => String(Math.min(MAX_DURATION_MS, Math.max(1, Math.ceil(n))));

/** Braces would break the hash tag; `%` is escaped so the mapping stays one to one. */
const tagOf = (name: string): string => name.replace(/[%{}]/g, (c) => encodeURIComponent(c));

const reply = (value: unknown): unknown => value;

class RedisStore implements RedisCircuitStore {
  readonly instanceId: string;
  readonly quorum: number;
  readonly syncIntervalMs: number;
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #voteWindowMs: number;
  readonly #leaseMs: number;

  constructor(o: { redis: RedisConnection; prefix: string; quorum: number; voteWindowMs: number; syncIntervalMs: number; leaseMs: number; instanceId: string }) {
    this.#redis = o.redis;
    this.#prefix = o.prefix;
    this.quorum = o.quorum;
    this.#voteWindowMs = o.voteWindowMs;
    this.syncIntervalMs = o.syncIntervalMs;
    this.#leaseMs = o.leaseMs;
    this.instanceId = o.instanceId;
  }

  keys(name: string): { open: string; votes: string; lease: string } {
    const base = `${this.#prefix}{${tagOf(name)}}:`;
    return { open: `${base}open`, votes: `${base}votes`, lease: `${base}lease` };
  }

  bind(name: string): SharedCircuit {
    const keys = this.keys(name);
    const id = this.instanceId;
    const redis = this.#redis;
    const leaseMs = ms(this.#leaseMs);
    // Each acquisition has a token of its own, so that giving back a lease never frees a later one.
    let seq = 0;
    let token: string | undefined;
    const release = (leaseToken: string, outcome: string, breakMs: number): Promise<unknown> =>
      redis.script('release', RELEASE, [keys.open, keys.lease, keys.votes], [leaseToken, outcome, breakMs > 0 ? ms(breakMs) : '0', leaseMs], reply);
    return {
      syncIntervalMs: this.syncIntervalMs,
      vote: (breakMs): Promise<SharedVote> =>
        redis.script('vote', VOTE, [keys.votes, keys.open], [id, ms(this.#voteWindowMs), String(this.quorum), ms(breakMs), leaseMs], (r) => {
          const [votes, openForMs] = r as [number, number];
          return { votes: Number(votes), openForMs: Math.max(0, Number(openForMs)) };
        }),
      read: (): Promise<number> => redis.script('sync', READ, [keys.open], [], (r) => Math.max(0, Number(r))),
      acquire: async (): Promise<SharedAcquire> => {
        const mine = `${id}:${++seq}`;
        // A lease granted after the deadline was given up on is nobody's: hand it straight back,
        // rather than make every instance wait `leaseMs` for it.
        const late = (r: unknown): void => {
          if (Array.isArray(r) && r[0] === 'probe') release(mine, 'abandon', 0).catch(() => {});
        };
        const [kind, left, shared] = (await redis.script('acquire', ACQUIRE, [keys.open, keys.lease], [mine, leaseMs, id], reply, late)) as [string, number, number];
        if (kind === 'probe') {
          token = mine;
          return { kind, shared: Number(shared) === 1 };
        }
        if (kind === 'open' || kind === 'busy') return { kind, remainingMs: Math.max(0, Number(left)) };
        throw redis.failure('acquire', new Error(`unexpected reply ${JSON.stringify(kind)}`));
      },
      release: async (outcome, breakMs): Promise<void> => {
        const held = token ?? '';
        token = undefined;
        await release(held, outcome, breakMs);
      },
    };
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
 * Shares circuit state between processes through Redis (node-redis 6, a client you connect); pass
 * it to a breaker as `store`.
 *
 * - A breaker that opens locally votes; when `quorum` distinct instances have voted within
 *   `voteWindowMs`, the circuit opens for all of them for the voter's break. One sick instance opens
 *   only its own circuit.
 * - Closed breakers check the shared circuit every `syncIntervalMs` while they make calls, so they
 *   see a shared opening within `syncIntervalMs + timeoutMs` of their first call after it.
 * - Half-open episodes hold a lease (`SET NX PX leaseMs`): one instance probes at a time.
 * - Every key expires; every operation has a deadline (`timeoutMs`); a slow, absent or
 *   disconnected Redis never blocks a call in the closed state, and a half-open probe waits at most
 *   `timeoutMs` for the lease. Failures are reported as the breaker's `onStoreError`, each a
 *   `StoreUnavailableError`.
 *
 * Decisions are atomic Lua scripts on the server's clock, sent by SHA, each touching the keys of one
 * circuit, which share a hash tag — so it works on Redis Cluster.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = redisCircuitStore({ client: redis, quorum: 2 });
 * const breaker = circuitBreaker({ name: 'payments', store });
 * ```
 */
export function redisCircuitStore(options: RedisCircuitStoreOptions): RedisCircuitStore {
  expectOptions('options', options, REDIS_CIRCUIT_STORE_OPTIONS);
  if (options === undefined) throw invalidOption('options', options, 'an options object with `client`');
  const { client } = options;
  expectRedisClient('client', client);
  const prefix = options.prefix ?? 'bulwark:breaker:';
  if (typeof prefix !== 'string') throw invalidOption('prefix', prefix, 'a string');
  const quorum = options.quorum ?? 2;
  expectInteger('quorum', quorum, { min: 1 });
  const voteWindowMs = options.voteWindowMs ?? 60_000;
  expectNumber('voteWindowMs', voteWindowMs, { min: 1, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  const syncIntervalMs = options.syncIntervalMs ?? 1_000;
  expectNumber('syncIntervalMs', syncIntervalMs, { min: 0 });
  const timeoutMs = options.timeoutMs ?? 250;
  expectNumber('timeoutMs', timeoutMs, { min: 1, max: 2 ** 31 - 1 });
  const leaseMs = options.leaseMs ?? 30_000;
  expectNumber('leaseMs', leaseMs, { min: 1, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  const instanceId = options.instanceId ?? randomBytes(8).toString('hex');
  if (typeof instanceId !== 'string' || instanceId === '') throw invalidOption('instanceId', instanceId, 'a non-empty string');
  expectClock('clock', options.clock);
  const redis = redisConnection('redisCircuitStore', client, { timeoutMs, clock: options.clock });
  return new RedisStore({ redis, prefix, quorum, voteWindowMs, syncIntervalMs, leaseMs, instanceId });
}
