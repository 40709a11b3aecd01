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
  invalidStore,
  knownOptions,
  MAX_DURATION_MS,
  parseServerHints,
  StoreUnavailableError,
  systemClock,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Clock,
  type Event,
  type EventPayload,
  type Policy,
  type PolicyFunction,
  type RejectedEvent,
  type ServerHints,
  type ServerHintSource,
  type ServerHintsInput,
  type StoreErrorEvent,
  type Timer,
} from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { statedInterval, type LearnParams, type Lesson } from './internal/learning.js';
import { MAX_LIMITS } from './internal/redis-scripts.js';
import { compileLimit, MAX_DURATION_WHY, type CompiledLimit, type LimitOptions } from './limit.js';
import { memoryRateLimitStore, type MemoryRateLimitStore } from './memory-store.js';
import { RateLimitedError, type RateLimitedReason } from './rate-limited-error.js';
import type { LimitSet, RateLimitStore, StoreDecision } from './rate-limit-store.js';

/** Local batching: take tokens from the store in leases and spend them in this process. */
export interface LeaseOptions {
  /**
   * Units taken from the store at once (fewer when fewer are left). Over-admission is bounded: in
   * any window, `processes × (size − 1)` units beyond the limit at most (see the README).
   */
  readonly size: number;
  /**
   * How long a lease may be spent, in milliseconds; unspent units are dropped after it (they were
   * counted by the store, so dropping them only under-admits). At most the shortest `windowMs`.
   * @default the shortest windowMs, capped at 1_000
   */
  readonly ttlMs?: number;
}

/** Backoff for a 429 or 503 that says nothing about when to come back. */
export interface BackoffOptions {
  /** The first hold, in milliseconds; doubled at each further header-less 429/503. At most 100 years. @default 1_000 */
  readonly initialDelayMs?: number;
  /** The longest hold, in milliseconds: at least `initialDelayMs`, at most 100 years. @default 60_000 */
  readonly maxDelayMs?: number;
}

/**
 * Learning the server's limit from what {@link RateLimiter.observe} reads (see the README for the
 * rules and their limits).
 */
export interface LearnOptions {
  /**
   * How long what was learned about a key lives after the last response that taught something (a
   * stated rate, or a refusal), in milliseconds; then the key is unknown again. At most 100 years.
   * @default 60_000
   */
  readonly ttlMs?: number;
  /**
   * How long the first call on an unknown key holds the other calls on it back while its response
   * is awaited, in milliseconds (the response ends the wait at once). At most 100 years.
   * @default 1_000
   */
  readonly firstResponseTimeoutMs?: number;
}

/** Options for {@link rateLimiter}. */
export interface RateLimiterOptions {
  /**
   * One limit or several, all enforced on each key at once (a call takes units from every one, or
   * from none): `[{ limit: 100, windowMs: 1_000, burst: 20 }, { limit: 10_000, windowMs: 86_400_000 }]`.
   * Optional with `learn`: the limiter then follows the server's limit alone.
   */
  readonly limits?: LimitOptions | readonly LimitOptions[];
  /**
   * Learn each key's limit from the server's responses (given to {@link RateLimiter.observe}): the
   * rate its headers state (`RateLimit-Policy`, `RateLimit`, `X-RateLimit-*`), or, after a 429 or
   * 503 that states none, one found by backing off and probing up again. The effective limit is the
   * lower of `limits` and the learned one; learned state is per key, shared through the store, and
   * expires when the server stops saying things. `true` for the defaults. Not with `lease`.
   * @default false
   */
  readonly learn?: boolean | LearnOptions;
  /** Where counts live: {@link memoryRateLimitStore} (one process) or {@link redisRateLimitStore} (shared). @default memoryRateLimitStore({ clock }) */
  readonly store?: RateLimitStore;
  /** A name for events and logs. @default 'rateLimiter' */
  readonly name?: string;
  /** The key that {@link RateLimiter.execute} (the `Policy` side) limits. @default 'default' */
  readonly key?: string;
  /** How long {@link RateLimiter.acquire} waits at most, in milliseconds, unless the call says otherwise. @default 30_000 */
  readonly maxWaitMs?: number;
  /** How many calls may wait in {@link RateLimiter.acquire} at once, over all keys. @default 1_000 */
  readonly queue?: number;
  /**
   * The share of each limit this process may use on its own while the store fails (0 < share ≤ 1),
   * counting the units the store granted it in the window: with four processes sharing Redis, `0.25`
   * keeps the total within the limit during an outage. In a window where the store fails or comes
   * back, a process admits at most this share, or nothing more locally if the store had granted it
   * more; the processes together, at most `(2 − share) × limit` (see the README).
   * @default 0.25
   */
  readonly fallbackShare?: number;
  /** Local batching of store decisions (meant for Redis); off by default. */
  readonly lease?: LeaseOptions;
  /** Backoff after a 429/503 without Retry-After or rate-limit headers. */
  readonly backoff?: BackoffOptions;
  /** The longest hold a server hint may impose, in milliseconds (at most 100 years); longer ones are clamped. @default 3_600_000 */
  readonly maxHintMs?: number;
  /** Time source for waits and leases; also the default memory store's. @default systemClock */
  readonly clock?: Clock;
}

/**
 * The answer to {@link RateLimiter.tryAcquire} and {@link RateLimiter.acquire}: a plain object with
 * these fields and no others, whichever made the decision (the store, a lease, the fallback).
 */
export interface RateLimitDecision {
  /** Whether the call may go now (its units were taken). */
  readonly allowed: boolean;
  /** When denied, milliseconds until the call could be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
  /**
   * Units left on the most constrained limit after this decision (-1 while a server hint or a learned
   * pace holds the key; 0 after a paced unit; `Infinity` for a learning limiter without `limits` while
   * nothing limits the key); with `lease`, the units left in this process's lease.
   */
  readonly remaining: number;
  /**
   * Whether the decision was made by the local fallback: because the store failed, or (a refusal)
   * because units the fallback admitted while the store failed still count in their window.
   */
  readonly fallback: boolean;
  /**
   * When the decision was made, milliseconds since the Unix epoch, by the clock of whoever made it:
   * Redis `TIME` for the Redis store, the limiter's clock for memory, leases and the fallback.
   */
  readonly decidedAt: number;
}

/** Options for one {@link RateLimiter.acquire}. */
export interface AcquireOptions {
  /** Units this call costs, a positive integer. @default 1 */
  readonly cost?: number;
  /**
   * The longest wait, in milliseconds. A call the limit would allow only later is refused at once; a
   * call still queued behind others at its deadline is refused then. Both with {@link RateLimitedError}.
   * @default the limiter's maxWaitMs
   */
  readonly maxWaitMs?: number;
  /** Stops waiting at once: the call leaves the queue and rejects with the abort reason. */
  readonly signal?: AbortSource;
}

// A misspelt `maxWaitMs` would otherwise wait the limiter's default, 30 s, without a word.
const ACQUIRE_OPTIONS = knownOptions<AcquireOptions>('acquire()', {
  cost: ['weight', 'points', 'tokens'],
  maxWaitMs: ['maxWait', 'timeout', 'timeoutMs', 'waitMs'],
  signal: ['abortSignal'],
});

/** Emitted by {@link RateLimiter.onRejected} when a caller is refused. */
export interface RateLimitRejectedEvent extends RejectedEvent {
  /** The limited key. */
  readonly key: string;
  /** Milliseconds until the call could be allowed (an estimate for `timeout` and `queue-full`). */
  readonly retryAfterMs: number;
  /** The units the call asked for. */
  readonly cost: number;
  /** `denied` (tryAcquire said no), or why acquire refused: `limit`, `timeout` or `queue-full`. */
  readonly reason: 'denied' | RateLimitedReason;
}

/** Emitted by {@link RateLimiter.onServerHint} for each observed response that holds a key back or carries rate-limit headers. */
export interface ServerHintEvent extends EventPayload {
  readonly key: string;
  readonly status: number | undefined;
  /** How long everyone sharing the store is held back, in milliseconds (0: not held). */
  readonly holdMs: number;
  /** Whether the hold is an exponential backoff (a 429/503 without usable headers). */
  readonly backoff: boolean;
  readonly retryAfterMs: number | undefined;
  readonly remaining: number | undefined;
  readonly limit: number | undefined;
  readonly resetMs: number | undefined;
  readonly source: ServerHintSource;
}

/** Why a learned rate changed: see {@link RateLimitChangeEvent}. */
export type LimitChangeReason = 'policy' | 'quota' | 'refusal' | 'expired';

/**
 * Emitted by {@link RateLimiter.onLimitChange} (learning limiters) when the rate this process
 * learned for a key changes: from a response it observed, or found expired at the key's next call.
 */
export interface RateLimitChangeEvent extends EventPayload {
  /** The key. */
  readonly key: string;
  /** The learned rate in force, units per second; `undefined` when none is (expired). */
  readonly ratePerSecond: number | undefined;
  /** The same rate as milliseconds per unit; `undefined` when none is. */
  readonly intervalMs: number | undefined;
  /**
   * What set it: `policy` (a stated policy: `RateLimit-Policy`, or a legacy limit), `quota` (what
   * is left spread over the time left: `RateLimit`, `X-RateLimit-Remaining`/`Reset`), `refusal` (a
   * 429 or 503 that stated no rate: backed off, then probed up by 2% a second), `expired` (no
   * response taught anything for `learn.ttlMs`).
   */
  readonly reason: LimitChangeReason;
}

/** Emitted by {@link RateLimiter.onStoreError} for each operation decided locally because the store failed. */
export interface RateLimitStoreErrorEvent extends StoreErrorEvent {
  /** The key the operation was for. */
  readonly key: string;
  /** What the store was asked to do: `decide`, `hold`, `strike`, `clear` or `learn`. */
  readonly operation: string;
  /** Why: a `StoreUnavailableError` from core (its `cause` holds the driver's error, if any). */
  readonly error: StoreUnavailableError;
  /** Fallback decisions so far, this one included. */
  readonly fallbackDecisions: number;
}

/** What {@link RateLimiter.observe} did with a response. */
export interface ObserveResult {
  /** The hold applied to the key, in milliseconds (0: none). */
  readonly holdMs: number;
  /** Whether the hold is a header-less backoff. */
  readonly backoff: boolean;
  /** The parsed hints. */
  readonly hints: ServerHints;
}

/**
 * A client-side rate limiter; create one with {@link rateLimiter}. It is also a `Policy`:
 * `execute(fn)` waits for a unit on the limiter's `key`, then runs `fn`.
 */
export interface RateLimiter extends Policy {
  readonly name: string;
  /** Decisions made by the local fallback because the store was asked and failed, since creation. */
  readonly fallbackDecisions: number;
  /** Calls waiting in {@link RateLimiter.acquire} now. */
  readonly queued: number;
  /** Answers at once: allowed (units taken) or denied with `retryAfterMs`. Never throws for a store failure. */
  tryAcquire(key: string, cost?: number): Promise<RateLimitDecision>;
  /**
   * Waits its turn, first in first out per key, and resolves when the call may go; wakes no earlier
   * than the limit allows. Rejects with {@link RateLimitedError} when the wait would exceed
   * `maxWaitMs` or the queue is full, and with the abort reason on abort.
   */
  acquire(key: string, options?: AcquireOptions): Promise<RateLimitDecision>;
  /** The neverthrow twin of {@link RateLimiter.acquire}. */
  acquireResult(key: string, options?: AcquireOptions): ResultAsync<RateLimitDecision, BulwarkError>;
  /**
   * Reads what the server said (`Retry-After`, `RateLimit`, `X-RateLimit-*`, or a bare 429/503) and
   * holds `key` back for everyone sharing the store. Never throws for a store failure.
   */
  observe(key: string, response: ServerHintsInput): Promise<ObserveResult>;
  /** Fires when a caller is refused (tryAcquire denied, or acquire refused): the call does not run. */
  readonly onRejected: Event<RateLimitRejectedEvent>;
  /** Fires when an observed response carried hints or held a key. */
  readonly onServerHint: Event<ServerHintEvent>;
  /** Learning limiters: fires when the rate learned for a key changes (learned, lowered, raised or expired). */
  readonly onLimitChange: Event<RateLimitChangeEvent>;
  /** Fires for each decision or hint applied locally because the store failed. */
  readonly onStoreError: Event<RateLimitStoreErrorEvent>;
}

interface Lease {
  tokens: number;
  expiresAt: number;
  deniedUntil: number;
}

/** Leases kept before expired ones are swept. */
const LEASE_SWEEP_AT = 10_000;
/** Keys a learning limiter keeps a local view of (their rate, their first contact); the oldest go first. */
const LEARNED_KEYS = 10_000;
/** Settling keys kept before those that settled are swept. */
const SETTLING_SWEEP_AT = 10_000;

/**
 * A store's decision as a caller is given it. `granted` (units a lease took) and `first` (a learning
 * first contact) are the limiter's own bookkeeping: they stay inside, so every decision has one shape.
 */
function shown(d: StoreDecision): RateLimitDecision {
  return { allowed: d.allowed, retryAfterMs: d.retryAfterMs, remaining: d.remaining, fallback: d.fallback, decidedAt: d.decidedAt };
}
/** A store's decision as the limiter reads it, bookkeeping and all. */
const kept = (d: StoreDecision): StoreDecision => d;

class Waiter extends CallContext {
  resolve: ((decision: RateLimitDecision) => void) | undefined = undefined;
  reject: ((reason: unknown) => void) | undefined = undefined;
  queued = false;
  /** Ends the wait at the deadline, should the turn not come by then. */
  timer: Timer | undefined = undefined;
  readonly #owner: Limiter;
  constructor(
    owner: Limiter,
    signal: AbortSource | undefined,
    readonly key: string,
    readonly cost: number,
    readonly deadline: number,
  ) {
    super(signal);
    this.#owner = owner;
  }
  protected override onAbort(reason: unknown): void {
    if (!this.queued) return;
    this.#owner.leave(this);
    this.reject!(reason);
  }
}

interface KeyQueue {
  readonly waiters: Waiter[];
  timer: Timer | undefined;
  wake: (() => void) | undefined;
}

class Limiter implements RateLimiter {
  readonly name: string;
  readonly #set: LimitSet;
  readonly #fallbackSet: LimitSet;
  readonly #store: RateLimitStore;
  readonly #fallback: MemoryRateLimitStore;
  /**
   * Whether the store can fail (it is not in memory): then the fallback also counts the units the
   * store grants this process, and bounds what the process admits around a switch (see #ask).
   */
  readonly #shadowed: boolean;
  /** Per key: until when (wall clock) units the fallback admitted still count; the store does not know them. */
  readonly #settling = new Map<string, number>();
  readonly #clock: Clock;
  readonly #key: string;
  readonly #maxWaitMs: number;
  readonly #maxQueue: number;
  readonly #maxCost: number;
  readonly #fallbackMaxCost: number;
  readonly #slowestIntervalMs: number;
  readonly #lease: { readonly size: number; readonly ttlMs: number } | undefined;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #maxHintMs: number;
  readonly #leases = new Map<string, Lease>();
  readonly #leaseFetches = new Map<string, Promise<unknown>>();
  readonly #queues = new Map<string, KeyQueue>();
  readonly #struck = new Set<string>();
  readonly #onRejected = new EventEmitter<RateLimitRejectedEvent>();
  readonly #onServerHint = new EventEmitter<ServerHintEvent>();
  readonly #onStoreError = new EventEmitter<RateLimitStoreErrorEvent>();
  readonly #onLimitChange = new EventEmitter<RateLimitChangeEvent>();
  readonly onRejected = this.#onRejected.event;
  readonly onServerHint = this.#onServerHint.event;
  readonly onStoreError = this.#onStoreError.event;
  readonly onLimitChange = this.#onLimitChange.event;
  readonly #learn: LearnParams | undefined;
  /** 0: plain decisions (no lease, no learning), checked first on the hot path; 1: either. */
  readonly #mode: 0 | 1;
  /** Learning: per key, the learned interval this process last reported through onLimitChange (ms per unit). */
  readonly #rates = new Map<string, number>();
  /** Learning: keys whose first contact this process made and whose response it has not observed yet. */
  readonly #awaiting = new Set<string>();
  /** Learning: per key, the stated interval this process last wrote to the store, and when (monotonic). */
  readonly #taught = new Map<string, { readonly intervalMs: number; readonly at: number }>();
  #fallbackDecisions = 0;
  #queued = 0;

  constructor(o: {
    name: string;
    limits: CompiledLimit[];
    fallbackShare: number;
    store: RateLimitStore | undefined;
    clock: Clock;
    key: string;
    maxWaitMs: number;
    maxQueue: number;
    lease: { size: number; ttlMs: number } | undefined;
    backoffBaseMs: number;
    backoffMaxMs: number;
    maxHintMs: number;
    learn: { ttlMs: number; firstResponseTimeoutMs: number } | undefined;
  }) {
    this.name = o.name;
    this.#clock = o.clock;
    const learnId = (p: LearnParams | undefined): string => (p === undefined ? '' : `|learn-${p.firstResponseTimeoutMs}~${p.share}`);
    this.#learn = o.learn === undefined ? undefined : { ...o.learn, share: 1 };
    this.#set = { id: o.limits.map((l) => l.id).join('|') + learnId(this.#learn), limits: o.limits, learn: this.#learn };
    const scaled = o.limits.map((l) => ({
      ...l,
      id: `${l.id}~${o.fallbackShare}`,
      limit: Math.max(1, Math.floor(l.limit * o.fallbackShare)),
      capacity: Math.max(1, Math.floor(l.capacity * o.fallbackShare)),
    }));
    // The fallback paces a learned rate at this process's share of it, as it does the limits.
    const fallbackLearn = o.learn === undefined ? undefined : { ...o.learn, share: o.fallbackShare };
    this.#fallbackSet = { id: scaled.map((l) => l.id).join('|') + learnId(fallbackLearn), limits: scaled, learn: fallbackLearn };
    this.#store = o.store ?? memoryRateLimitStore({ clock: o.clock });
    this.#fallback = memoryRateLimitStore({ clock: o.clock, maxEntries: 10_000 });
    this.#shadowed = this.#store.kind !== 'memory';
    this.#key = o.key;
    this.#maxWaitMs = o.maxWaitMs;
    this.#maxQueue = o.maxQueue;
    this.#maxCost = Math.min(...o.limits.map((l) => l.capacity));
    this.#fallbackMaxCost = Math.min(...scaled.map((l) => l.capacity));
    // Without limits (learning alone), queue estimates have no rate to go by: 1 ms a call.
    this.#slowestIntervalMs = Math.max(1, ...o.limits.map((l) => l.windowMs / l.limit));
    this.#lease = o.lease;
    this.#mode = o.lease === undefined && o.learn === undefined ? 0 : 1;
    this.#backoffBaseMs = o.backoffBaseMs;
    this.#backoffMaxMs = o.backoffMaxMs;
    this.#maxHintMs = o.maxHintMs;
  }

  get fallbackDecisions(): number {
    return this.#fallbackDecisions;
  }

  get queued(): number {
    return this.#queued;
  }

  #checkKey(key: string): void {
    if (typeof key !== 'string' || key.length === 0) throw invalidOption('key', key, 'a non-empty string');
  }

  #checkCost(cost: number): void {
    if (Number.isInteger(cost) && cost >= 1 && cost <= this.#maxCost) return;
    if (this.#maxCost === Infinity) expectInteger('cost', cost, { min: 1 });
    else expectInteger('cost', cost, { min: 1, max: this.#maxCost, reason: "the smallest limit's capacity; a larger cost could never be allowed" });
  }

  tryAcquire(key: string, cost = 1): Promise<RateLimitDecision> {
    try {
      this.#checkKey(key);
      // acquire takes `{ cost }`; one written the same way here would read as a cost of "an object".
      if (typeof cost === 'object' && cost !== null) {
        throw invalidOption('cost', cost, 'a number: `tryAcquire(key, cost)` takes the cost itself, where `acquire(key, { cost })` takes options');
      }
      this.#checkCost(cost);
    } catch (error) {
      return Promise.reject(error);
    }
    const decision = this.#decide(key, cost);
    if (!this.#onRejected.hasListeners) return decision;
    return decision.then((d) => {
      if (!d.allowed) this.#onRejected.emit({ name: this.name, key, retryAfterMs: d.retryAfterMs, cost, reason: 'denied' });
      return d;
    });
  }

  /**
   * One decision: the lease if any, else the store, else (store failing) the local fallback. A
   * learning limiter also notes its first contacts. The plain path (no lease, no learning) pays
   * one check for both.
   */
  #decide(key: string, cost: number): Promise<RateLimitDecision> {
    if (this.#mode === 0) {
      if (this.#shadowed) return this.#ask(key, cost, cost, shown);
      const decision = this.#decideInMemory(key, cost);
      return decision instanceof Promise ? decision.then(shown) : Promise.resolve(shown(decision));
    }
    if (this.#lease !== undefined) return this.#decideLeased(key, cost);
    return this.#decideLearning(key, cost);
  }

  /** A decision of the store, or of the fallback when the store fails. */
  #decideOnce(key: string, cost: number): StoreDecision | Promise<StoreDecision> {
    return this.#shadowed ? this.#ask(key, cost, cost, kept) : this.#decideInMemory(key, cost);
  }

  /**
   * A decision of a store that cannot fail (not shadowed): the memory store, or a store of its kind.
   * A synchronous answer stays synchronous.
   */
  #decideInMemory(key: string, cost: number): StoreDecision | Promise<StoreDecision> {
    let answer: StoreDecision | Promise<StoreDecision>;
    try {
      answer = this.#store.decide(key, this.#set, cost, cost);
    } catch (error) {
      return this.#decideLocally(key, cost, error);
    }
    if (typeof (answer as Promise<StoreDecision>).then === 'function') {
      return Promise.resolve(answer).catch((error: unknown) => this.#decideLocally(key, cost, error));
    }
    return answer as StoreDecision;
  }

  /** A learning decision: a first contact (the key was unknown) is remembered, and a rate this process reported is now expired. */
  async #decideLearning(key: string, cost: number): Promise<RateLimitDecision> {
    const decision = await this.#decideOnce(key, cost);
    if (decision.first === true) {
      bounded(this.#awaiting, key);
      if (this.#rates.has(key)) this.#reportRate(key, undefined, 'expired');
    }
    return shown(decision);
  }

  /**
   * Takes `cost` (or, leasing, up to `take`) units from the store, or from the fallback when it fails.
   *
   * Around a switch between them, neither count knows the other's units. So, for a store that can
   * fail, the fallback also counts every unit the store grants this process: when the store fails,
   * the process admits locally only what is left of its `fallbackShare` after its own units of the
   * window. And while units the fallback admitted still count (to the end of their window), a call
   * must pass the fallback as well as the store, which never saw them. In the window of a switch a
   * process thus admits at most the larger of its share and what the store had granted it.
   */
  #ask<T>(key: string, cost: number, take: number, as: (decision: StoreDecision) => T): Promise<T> {
    let local: StoreDecision | undefined;
    if (this.#shadowed && this.#settling.size > 0 && this.#isSettling(key)) {
      local = this.#takeLocally(key, cost);
      if (!local.allowed) return Promise.resolve(as(local));
    }
    let answer: StoreDecision | Promise<StoreDecision>;
    try {
      answer = this.#store.decide(key, this.#set, cost, take);
    } catch (error) {
      return Promise.resolve(as(this.#storeFailed(key, cost, local, error)));
    }
    // Not `async`: one promise step from the store's answer to the caller's, on the hot path.
    return Promise.resolve(answer).then(
      (decision) => {
        if (this.#shadowed && decision.allowed) {
          // Units the local check above already took are not taken twice.
          const units = local === undefined ? decision.granted : decision.granted - cost;
          if (units > 0) this.#fallback.charge(key, this.#fallbackSet, units);
        }
        return as(decision);
      },
      (error: unknown) => as(this.#storeFailed(key, cost, local, error)),
    );
  }

  /** The store failed a decision: the fallback decides, or its check above already did. */
  #storeFailed(key: string, cost: number, local: StoreDecision | undefined, error: unknown): StoreDecision {
    if (local === undefined) return this.#decideLocally(key, cost, error);
    this.#fellBack(key, 'decide', error);
    this.#startSettling(key);
    return local;
  }

  #decideLocally(key: string, cost: number, error: unknown): StoreDecision {
    const d = this.#takeLocally(key, cost);
    this.#fellBack(key, 'decide', error);
    if (d.allowed) this.#startSettling(key);
    return d;
  }

  /** A decision of the fallback alone, with this process's share of the limits. */
  #takeLocally(key: string, cost: number): StoreDecision {
    // A cost above the fallback's (scaled-down) capacity could never pass: it takes the whole bucket.
    const units = Math.min(cost, this.#fallbackMaxCost);
    return { ...(this.#fallback.decide(key, this.#fallbackSet, units, units) as StoreDecision), fallback: true };
  }

  /** Marks `key` as settling until the units the fallback admitted on it stop counting. */
  #startSettling(key: string): void {
    if (!this.#shadowed) return;
    if (this.#settling.size >= SETTLING_SWEEP_AT) {
      const now = this.#clock.now();
      for (const [k, until] of this.#settling) if (until <= now) this.#settling.delete(k);
    }
    this.#settling.set(key, this.#fallback.expiresAt(key, this.#fallbackSet));
  }

  #isSettling(key: string): boolean {
    const until = this.#settling.get(key);
    if (until === undefined) return false;
    if (until > this.#clock.now()) return true;
    this.#settling.delete(key);
    return false;
  }

  #fellBack(key: string, operation: string, error: unknown): void {
    this.#fallbackDecisions++;
    if (!this.#onStoreError.hasListeners) return;
    const reason = StoreUnavailableError.from('RateLimitStore', operation, error);
    this.#onStoreError.emit({ name: this.name, key, operation, error: reason, fallbackDecisions: this.#fallbackDecisions });
  }

  async #decideLeased(key: string, cost: number): Promise<RateLimitDecision> {
    for (;;) {
      const now = this.#clock.monotonic();
      const lease = this.#leases.get(key);
      if (lease !== undefined) {
        if (lease.expiresAt > now && lease.tokens >= cost) {
          lease.tokens -= cost;
          return this.#allowedLocally(lease.tokens);
        }
        if (lease.deniedUntil > now) {
          const retryAfterMs = Math.max(1, Math.ceil(lease.deniedUntil - now));
          return { allowed: false, retryAfterMs, remaining: 0, fallback: false, decidedAt: this.#clock.now() };
        }
      }
      const pending = this.#leaseFetches.get(key);
      if (pending === undefined) break;
      await pending;
    }
    const fetch = this.#fetchLease(key, cost);
    this.#leaseFetches.set(key, fetch);
    try {
      return await fetch;
    } finally {
      this.#leaseFetches.delete(key);
    }
  }

  async #fetchLease(key: string, cost: number): Promise<RateLimitDecision> {
    const { size, ttlMs } = this.#lease!;
    // The lease lives `ttlMs` from the ask, not from the answer: the store counted its units in
    // between, so none is spent more than `ttlMs` after that, however late the answer came.
    const asked = this.#clock.monotonic();
    const decision = await this.#ask(key, cost, Math.max(size, cost), kept);
    if (decision.fallback) return shown(decision);
    const now = this.#clock.monotonic();
    let lease = this.#leases.get(key);
    if (lease === undefined) {
      if (this.#leases.size >= LEASE_SWEEP_AT) {
        for (const [k, l] of this.#leases) if (l.expiresAt <= now && l.deniedUntil <= now) this.#leases.delete(k);
      }
      this.#leases.set(key, (lease = { tokens: 0, expiresAt: 0, deniedUntil: 0 }));
    }
    if (decision.allowed) {
      lease.tokens = decision.granted - cost;
      lease.expiresAt = asked + ttlMs;
      lease.deniedUntil = 0;
      // The first unit was taken when the store decided: the decision is the store's, at its time.
      return this.#allowedLocally(lease.tokens, decision.decidedAt);
    }
    lease.tokens = 0;
    lease.deniedUntil = now + decision.retryAfterMs;
    return shown(decision);
  }

  #allowedLocally(remaining: number, decidedAt = this.#clock.now()): RateLimitDecision {
    return { allowed: true, retryAfterMs: 0, remaining, fallback: false, decidedAt };
  }

  async acquire(key: string, options: AcquireOptions = {}): Promise<RateLimitDecision> {
    this.#checkKey(key);
    expectOptions('options', options, ACQUIRE_OPTIONS);
    const cost = options.cost ?? 1;
    this.#checkCost(cost);
    const maxWaitMs = options.maxWaitMs ?? this.#maxWaitMs;
    expectNumber('maxWaitMs', maxWaitMs, { min: 0, allowInfinity: true });
    // The waiter checks `signal` (core's expectAbortSource) before the call joins a queue: one whose
    // signal cannot be listened to could not be released either.
    const waiter = new Waiter(this, options.signal, key, cost, this.#clock.monotonic() + maxWaitMs);
    if (waiter.aborted) throw waiter.reason;
    if (!this.#queues.has(key)) {
      // Nobody waits on this key: ask at once, and queue only if the answer is "later".
      const first = await this.#decide(key, cost);
      if (waiter.aborted) throw waiter.reason;
      if (first.allowed) return first;
      if (first.retryAfterMs > maxWaitMs) {
        throw this.#refuse(key, cost, first.retryAfterMs, 'limit', `the limit allows this call in ${first.retryAfterMs} ms, later than its wait of at most ${maxWaitMs} ms`);
      }
    }
    if (this.#queued >= this.#maxQueue) {
      // An estimate: the queue drains no faster than the slowest limit's rate.
      const retryAfterMs = Math.max(1, Math.ceil((this.#queued + 1) * this.#slowestIntervalMs));
      throw this.#refuse(key, cost, retryAfterMs, 'queue-full', `${this.#queued} calls are already waiting (queue ${this.#maxQueue})`);
    }
    return new Promise<RateLimitDecision>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
      waiter.queued = true;
      this.#queued++;
      if (Number.isFinite(maxWaitMs)) {
        waiter.timer = this.#clock.setTimeout(() => this.#expire(waiter, maxWaitMs), Math.max(0, waiter.deadline - this.#clock.monotonic()), { unref: true });
      }
      let queue = this.#queues.get(key);
      if (queue === undefined) {
        this.#queues.set(key, (queue = { waiters: [waiter], timer: undefined, wake: undefined }));
        void this.#pump(key, queue);
      } else {
        queue.waiters.push(waiter);
      }
      waiter.listen();
    });
  }

  acquireResult(key: string, options?: AcquireOptions): ResultAsync<RateLimitDecision, BulwarkError> {
    return toResult(this.acquire(key, options));
  }

  #refuse(key: string, cost: number, retryAfterMs: number, reason: RateLimitedReason, detail: string): RateLimitedError {
    if (this.#onRejected.hasListeners) this.#onRejected.emit({ name: this.name, key, retryAfterMs, cost, reason });
    return new RateLimitedError(key, retryAfterMs, reason, detail);
  }

  /** Serves one key's queue in order: ask for the head; grant, refuse, or sleep until the limit allows. */
  async #pump(key: string, queue: KeyQueue): Promise<void> {
    const waiters = queue.waiters;
    while (waiters.length > 0) {
      const head = waiters[0]!;
      let decision: RateLimitDecision;
      try {
        decision = await this.#decide(key, head.cost);
      } catch (error) {
        // Not a store failure (those fall back): a bug; fail the head rather than hang it.
        if (waiters[0] === head) this.#settle(head, waiters).reject!(error);
        continue;
      }
      if (waiters[0] !== head) continue; // the head left (aborted) while we asked; its units are lost, as a real call's would be
      if (decision.allowed) {
        this.#settle(head, waiters).resolve!(decision);
        continue;
      }
      const left = head.deadline - this.#clock.monotonic();
      if (decision.retryAfterMs > left) {
        this.#settle(head, waiters).reject!(
          this.#refuse(key, head.cost, decision.retryAfterMs, 'limit', `the limit allows this call in ${decision.retryAfterMs} ms, later than its wait of at most ${Math.max(0, Math.floor(left))} ms`),
        );
        continue;
      }
      await new Promise<void>((wake) => {
        queue.wake = wake;
        queue.timer = this.#clock.setTimeout(wake, decision.retryAfterMs);
      });
      queue.wake = undefined;
      queue.timer = undefined;
    }
    this.#queues.delete(key);
  }

  #settle(waiter: Waiter, waiters: Waiter[]): Waiter {
    waiters.shift();
    waiter.queued = false;
    this.#queued--;
    waiter.timer?.clear();
    waiter.release();
    return waiter;
  }

  /** A queued waiter's deadline passed before its turn came: refuse it. */
  #expire(waiter: Waiter, maxWaitMs: number): void {
    if (!waiter.queued) return;
    const ahead = this.#queues.get(waiter.key)?.waiters.indexOf(waiter) ?? 0;
    this.leave(waiter);
    waiter.release();
    const retryAfterMs = Math.max(1, Math.ceil((ahead + 1) * this.#slowestIntervalMs));
    waiter.reject!(this.#refuse(waiter.key, waiter.cost, retryAfterMs, 'timeout', `no turn came within its wait of at most ${maxWaitMs} ms (${ahead} calls ahead)`));
  }

  /** A waiter aborted: drop it; if its queue is now empty, wake the pump so it can finish. */
  leave(waiter: Waiter): void {
    const queue = this.#queues.get(waiter.key);
    waiter.queued = false;
    this.#queued--;
    waiter.timer?.clear();
    if (queue === undefined) return;
    const i = queue.waiters.indexOf(waiter);
    if (i !== -1) queue.waiters.splice(i, 1);
    if (queue.waiters.length === 0 && queue.wake !== undefined) {
      queue.timer?.clear();
      queue.wake();
    }
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    expectFunction('fn', fn);
    const call = new CallContext(signal);
    try {
      await this.acquire(this.#key, { signal: call });
      return await fn(call);
    } finally {
      call.release();
    }
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }

  async observe(key: string, response: ServerHintsInput): Promise<ObserveResult> {
    this.#checkKey(key);
    const hints = parseServerHints(response, { now: this.#clock.now(), maxHintMs: this.#maxHintMs });
    if (this.#learn !== undefined) return this.#observeLearning(key, hints);
    const status = hints.status;
    let holdMs = 0;
    let backoff = false;
    if (hints.waitMs !== undefined && hints.waitMs > 0) {
      holdMs = hints.waitMs;
      await this.#apply(key, 'hold', (store) => store.hold(key, holdMs));
    } else if ((status === 429 || status === 503) && hints.waitMs === undefined) {
      backoff = true;
      this.#struck.add(key);
      holdMs = await this.#apply(key, 'strike', (store) => store.strike(key, this.#backoffBaseMs, this.#backoffMaxMs));
    } else if (status !== undefined && status < 400 && this.#struck.has(key)) {
      this.#struck.delete(key);
      await this.#apply(key, 'clear', (store) => store.clearStrikes(key));
    }
    if (holdMs > 0) this.#leases.delete(key);
    this.#reportHint(key, hints, holdMs, backoff);
    return { holdMs, backoff, hints };
  }

  /**
   * `observe` for a learning limiter: one store operation applies the hold or backoff and what the
   * response teaches (a stated rate, a refusal, or the answer to a first contact), atomically.
   */
  async #observeLearning(key: string, hints: ServerHints): Promise<ObserveResult> {
    const learn = this.#learn!;
    const status = hints.status;
    const refused = status === 429 || status === 503;
    const backoff = refused && hints.waitMs === undefined;
    const clearStrikes = !refused && status !== undefined && status < 400 && this.#struck.has(key);
    const stated = statedInterval(hints);
    const holdMs = hints.waitMs !== undefined && hints.waitMs > 0 ? hints.waitMs : 0;
    // A limit with no window (`X-RateLimit-Limit` alone) keeps an unknown key's calls one at a time.
    const limited = hints.limit !== undefined && hints.limit > 0;
    const kind = stated !== undefined ? 'stated' : refused ? 'refused' : limited ? 'limited' : 'answered';
    const answering = this.#awaiting.has(key);
    // Nothing to apply or learn: no store call (learned state expires when the server stops saying things).
    if (holdMs === 0 && !backoff && !clearStrikes && !answering) {
      if (kind === 'answered' || kind === 'limited' || (stated !== undefined && this.#taughtRecently(key, stated.intervalMs))) {
        this.#reportHint(key, hints, 0, false);
        return { holdMs: 0, backoff: false, hints };
      }
    }
    const lesson: Lesson = {
      kind,
      intervalMs: stated?.intervalMs ?? 0,
      limit: kind === 'limited' ? hints.limit! : 0,
      holdMs,
      strike: backoff ? { baseMs: this.#backoffBaseMs, maxMs: this.#backoffMaxMs } : undefined,
      clearStrikes,
      ttlMs: learn.ttlMs,
    };
    if (backoff) this.#struck.add(key);
    else if (clearStrikes) this.#struck.delete(key);
    const outcome = await this.#apply(key, 'learn', (store) => store.learn(key, lesson));
    // Remembered only when the statement took effect (a slower probe may have kept its own rate).
    if (stated !== undefined && outcome.intervalMs === stated.intervalMs) {
      bounded(this.#taught, key, { intervalMs: stated.intervalMs, at: this.#clock.monotonic() });
    }
    const intervalMs = outcome.intervalMs;
    if (intervalMs !== this.#rates.get(key)) {
      // Not probed: a stated rate (by this response, or by another process's).
      this.#reportRate(key, intervalMs, intervalMs === undefined ? 'expired' : outcome.probing ? 'refusal' : (stated?.rule ?? 'policy'));
    }
    if (answering) {
      this.#awaiting.delete(key);
      // The others on this key waited for this response: let the head of the queue ask again now.
      const queue = this.#queues.get(key);
      if (queue?.wake !== undefined) {
        queue.timer?.clear();
        queue.wake();
      }
    }
    this.#reportHint(key, hints, outcome.holdMs, backoff);
    return { holdMs: outcome.holdMs, backoff, hints };
  }

  /**
   * Whether this process wrote the same stated interval for `key` lately: within a second, and a
   * quarter of the learned state's life (so a statement refreshes it in time, and a probe that
   * another process's refusal started cannot outrun the statement for long).
   */
  #taughtRecently(key: string, intervalMs: number): boolean {
    const last = this.#taught.get(key);
    return (
      last !== undefined &&
      Math.abs(last.intervalMs - intervalMs) <= last.intervalMs / 100 &&
      this.#clock.monotonic() - last.at < Math.min(1_000, this.#learn!.ttlMs / 4)
    );
  }

  #reportRate(key: string, intervalMs: number | undefined, reason: LimitChangeReason): void {
    if (intervalMs === undefined) this.#rates.delete(key);
    else bounded(this.#rates, key, intervalMs);
    if (!this.#onLimitChange.hasListeners) return;
    this.#onLimitChange.emit({ name: this.name, key, ratePerSecond: intervalMs === undefined ? undefined : 1_000 / intervalMs, intervalMs, reason });
  }

  #reportHint(key: string, hints: ServerHints, holdMs: number, backoff: boolean): void {
    const status = hints.status;
    if (this.#onServerHint.hasListeners && (holdMs > 0 || hints.source !== 'none')) {
      this.#onServerHint.emit({
        name: this.name,
        key,
        status,
        holdMs,
        backoff,
        retryAfterMs: hints.retryAfterMs,
        remaining: hints.remaining,
        limit: hints.limit,
        resetMs: hints.resetMs,
        source: hints.source,
      });
    }
  }

  /** Runs a hint operation on the store, or on the local fallback when the store fails. */
  async #apply<R>(key: string, operation: string, run: (store: RateLimitStore) => R | Promise<R>): Promise<R> {
    try {
      return await run(this.#store);
    } catch (error) {
      this.#fellBack(key, operation, error);
      return await run(this.#fallback);
    }
  }
}

/** Adds `key` (with `value`, for a map) to a collection kept to {@link LEARNED_KEYS} entries, dropping the oldest. */
function bounded<V>(collection: Map<string, V> | Set<string>, key: string, value?: V): void {
  collection.delete(key);
  if (collection.size >= LEARNED_KEYS) collection.delete(collection.keys().next().value!);
  if (collection instanceof Map) collection.set(key, value as V);
  else collection.add(key);
}

const RATE_LIMITER_OPTIONS = knownOptions<RateLimiterOptions>('rateLimiter()', {
  limits: ['limit', 'points', 'rate', 'rules'],
  learn: ['adaptive', 'auto', 'learnLimits', 'fromServer'],
  store: [],
  name: [],
  key: [],
  maxWaitMs: ['maxWait', 'timeout', 'timeoutMs'],
  queue: ['maxQueue', 'queueSize', 'maxQueued'],
  fallbackShare: [],
  lease: [],
  backoff: [],
  maxHintMs: [],
  clock: [],
});

const LEASE_OPTIONS = knownOptions<LeaseOptions>('rateLimiter()', {
  size: [],
  ttlMs: [],
});

const LEARN_OPTIONS = knownOptions<LearnOptions>('rateLimiter()', {
  ttlMs: ['ttl', 'expiresInMs', 'forgetAfterMs'],
  firstResponseTimeoutMs: ['firstResponseTimeout', 'probeTimeoutMs'],
});

const BACKOFF_OPTIONS = knownOptions<BackoffOptions>('rateLimiter()', {
  initialDelayMs: ['baseMs', 'initialDelay', 'minTimeout'],
  maxDelayMs: ['maxMs', 'max', 'maxDelay', 'maxTimeout'],
});

/**
 * Creates a client-side rate limiter: it keeps calls to someone else's API under the provider's
 * limits before the provider has to say so, waits politely when it must (`acquire`, or `execute`
 * as a `Policy`), and obeys the provider when it does say so (`observe`).
 *
 * One process: the default memory store. Many processes: {@link redisRateLimitStore}, where each
 * decision is one atomic script on Redis time; while Redis fails, each process decides on its own
 * with `fallbackShare` of the limits, counted and reported through `onStoreError`.
 *
 * @example
 * ```ts
 * const limiter = rateLimiter({
 *   limits: [{ limit: 100, windowMs: 1_000, burst: 20 }, { limit: 10_000, windowMs: 86_400_000 }],
 * });
 * await limiter.acquire('api.example.com', { maxWaitMs: 5_000 });
 * const response = await fetch('https://api.example.com/v1/things');
 * await limiter.observe('api.example.com', response);
 * ```
 */
export function rateLimiter(options: RateLimiterOptions): RateLimiter {
  expectOptions('options', options, RATE_LIMITER_OPTIONS);
  if (options === undefined) throw invalidOption('options', options, 'an options object with `limits` (or `learn: true`)');
  const learn = learnOptions(options.learn);
  const list =
    options.limits === undefined ? [] : Array.isArray(options.limits) ? (options.limits as readonly LimitOptions[]) : [options.limits as LimitOptions];
  if (list.length === 0 && learn === undefined) throw invalidOption('limits', options.limits, 'at least one limit (or `learn: true`, to follow the server alone)');
  if (list.length > MAX_LIMITS) throw invalidOption('limits', options.limits, `an array of at most ${MAX_LIMITS} limits`);
  const limits = list.map((l, i) => compileLimit(Array.isArray(options.limits) ? `limits[${i}]` : 'limits', l));
  const ids = new Set(limits.map((l) => l.id));
  if (ids.size !== limits.length) throw invalidOption('limits', options.limits, 'limits with distinct names (or distinct numbers)');
  const name = options.name ?? 'rateLimiter';
  expectName(name);
  const key = options.key ?? 'default';
  if (typeof key !== 'string' || key.length === 0) throw invalidOption('key', key, 'a non-empty string');
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  expectNumber('maxWaitMs', maxWaitMs, { min: 0, allowInfinity: true });
  const maxQueue = options.queue ?? 1_000;
  expectInteger('queue', maxQueue, { min: 0 });
  const fallbackShare = options.fallbackShare ?? 0.25;
  expectNumber('fallbackShare', fallbackShare, { above: 0, max: 1 });
  if (options.store !== undefined && typeof options.store?.decide !== 'function') {
    // A Redis client is named as one, with the store that wraps it; a string (most likely a Redis
    // URL, which may carry a password) is never quoted.
    throw invalidStore('store', options.store, 'a store from memoryRateLimitStore() or redisRateLimitStore()', 'redisRateLimitStore');
  }
  expectClock('clock', options.clock);
  let lease: { size: number; ttlMs: number } | undefined;
  if (options.lease !== undefined) {
    if (learn !== undefined) throw invalidOption('lease', options.lease, 'undefined with `learn` (a learned rate paces every call; a lease would spend units in batches)');
    expectOptions('lease', options.lease, LEASE_OPTIONS);
    expectInteger('lease.size', options.lease.size, { min: 1 });
    const shortest = Math.min(...limits.map((l) => l.windowMs));
    const ttlMs = options.lease.ttlMs ?? Math.min(shortest, 1_000);
    expectInteger('lease.ttlMs', ttlMs, { min: 1, max: shortest });
    lease = { size: options.lease.size, ttlMs };
  }
  expectOptions('backoff', options.backoff, BACKOFF_OPTIONS);
  const backoffBaseMs = options.backoff?.initialDelayMs ?? 1_000;
  expectInteger('backoff.initialDelayMs', backoffBaseMs, { min: 1, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  const backoffMaxMs = options.backoff?.maxDelayMs ?? 60_000;
  expectInteger('backoff.maxDelayMs', backoffMaxMs, { min: backoffBaseMs, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  const maxHintMs = options.maxHintMs ?? 3_600_000;
  expectInteger('maxHintMs', maxHintMs, { min: 0, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  return new Limiter({
    name,
    limits,
    fallbackShare,
    store: options.store,
    clock: options.clock ?? systemClock,
    key,
    maxWaitMs,
    maxQueue,
    lease,
    backoffBaseMs,
    backoffMaxMs,
    maxHintMs,
    learn,
  });
}

/** Validates the `learn` option: undefined when learning is off. */
function learnOptions(learn: RateLimiterOptions['learn']): { ttlMs: number; firstResponseTimeoutMs: number } | undefined {
  if (learn === undefined || learn === false) return undefined;
  if (learn !== true && (typeof learn !== 'object' || learn === null)) throw invalidOption('learn', learn, 'a boolean or an options object ({ ttlMs, firstResponseTimeoutMs })');
  const o: LearnOptions = learn === true ? {} : learn;
  expectOptions('learn', o, LEARN_OPTIONS);
  const ttlMs = o.ttlMs ?? 60_000;
  expectInteger('learn.ttlMs', ttlMs, { min: 1, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  const firstResponseTimeoutMs = o.firstResponseTimeoutMs ?? 1_000;
  expectInteger('learn.firstResponseTimeoutMs', firstResponseTimeoutMs, { min: 1, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  return { ttlMs, firstResponseTimeoutMs };
}
