import { expectClock, expectInteger, expectOptions, knownOptions, systemClock, type Clock } from '@bulwark/core';
import { STATE_SLOTS, available, consume, waitFor } from './internal/algorithms.js';
import { currentInterval, learnStep, type LearnOutcome, type Lesson } from './internal/learning.js';
import type { LimitSet, RateLimitStore, StoreDecision } from './rate-limit-store.js';

/** Options for {@link memoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * The most keys kept at once. Expired keys are reclaimed as the store goes; when every key is
   * still live and the store is full, the least recently created keys are dropped (those keys
   * start afresh, so a store too small for its keys admits more than the limit).
   * @default 100_000
   */
  readonly maxEntries?: number;
  /** Time source; the limiter's `clock` does not reach a store you create yourself. @default systemClock */
  readonly clock?: Clock;
}

interface Entry {
  readonly s: number[];
  expiresAt: number;
}

/** What the server said about a key: its hold, its strikes, and (learning limiters) what was learned (see internal/learning.ts). */
interface Hold {
  /** Until when the key is held; for a paced key, also the earliest time of its next unit. */
  until: number;
  strikes: number;
  strikesUntil: number;
  learn: number | undefined;
  probe: number | undefined;
  /** When `learn` and `probe` expire. */
  learnUntil: number;
  /** Answers that stated a limit with no window, counted while the key stays unknown (see internal/learning.ts). */
  serial: number;
  serialUntil: number;
}

const newHold = (): Hold => ({ until: 0, strikes: 0, strikesUntil: 0, learn: undefined, probe: undefined, learnUntil: 0, serial: 0, serialUntil: 0 });

/** A {@link RateLimitStore} in this process's memory; see {@link memoryRateLimitStore}. */
export interface MemoryRateLimitStore extends RateLimitStore {
  readonly kind: 'memory';
  /** Keys held now (live or not yet reclaimed), summed over every limiter using the store. */
  readonly size: number;
  /** Live keys dropped because the store was full. */
  readonly evictions: number;
  /** @internal Takes `units` from every limit of the set, allowed or not (units granted elsewhere that must count here too). */
  charge(key: string, set: LimitSet, units: number): void;
  /** @internal When the state of `key` under `set` stops mattering (wall-clock ms; 0 when there is none). */
  expiresAt(key: string, set: LimitSet): number;
}

class Memory implements MemoryRateLimitStore {
  readonly kind = 'memory' as const;
  readonly #clock: Clock;
  readonly #maxEntries: number;
  readonly #tables = new Map<string, Map<string, Entry>>();
  readonly #holds = new Map<string, Hold>();
  #lastSet: LimitSet | undefined = undefined;
  #lastTable: Map<string, Entry> | undefined = undefined;
  #size = 0;
  #evictions = 0;
  #insertsSinceSweep = 0;

  constructor(maxEntries: number, clock: Clock) {
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  get size(): number {
    return this.#size;
  }

  get evictions(): number {
    return this.#evictions;
  }

  decide(key: string, set: LimitSet, cost: number, take: number): StoreDecision {
    const now = this.#clock.now();
    if (set.learn !== undefined) {
      // A learning limiter: the hold (or pace) and a first contact's wait come first.
      const waiting = this.#learningWait(key, now);
      if (waiting !== undefined) return waiting;
      if (set.limits.length === 0) return this.#learned(key, set, cost, now, unlimited(cost, now));
    } else if (this.#holds.size > 0) {
      const hold = this.#holds.get(key);
      if (hold !== undefined && hold.until > now) {
        return { allowed: false, granted: 0, retryAfterMs: Math.ceil(hold.until - now), remaining: -1, decidedAt: now, fallback: false };
      }
    }
    const limits = set.limits;
    const entry = this.#entry(key, set, now);
    const s = entry.s;
    let least = Infinity;
    for (let i = 0; i < limits.length; i++) {
      const a = available(limits[i]!, s, i * STATE_SLOTS, now);
      if (a < least) least = a;
    }
    if (least < cost) {
      let wait = 0;
      for (let i = 0; i < limits.length; i++) {
        const w = waitFor(limits[i]!, s, i * STATE_SLOTS, now, cost);
        if (w > wait) wait = w;
      }
      return { allowed: false, granted: 0, retryAfterMs: Math.max(1, Math.ceil(wait)), remaining: Math.max(0, least), decidedAt: now, fallback: false };
    }
    const granted = take < least ? take : least;
    let expiresAt = 0;
    for (let i = 0; i < limits.length; i++) {
      const e = consume(limits[i]!, s, i * STATE_SLOTS, now, granted);
      if (e > expiresAt) expiresAt = e;
    }
    entry.expiresAt = expiresAt;
    const decision: StoreDecision = { allowed: true, granted, retryAfterMs: 0, remaining: least - granted, decidedAt: now, fallback: false };
    return set.learn === undefined ? decision : this.#learned(key, set, cost, now, decision);
  }

  /** Learning: a refusal while the key is held (or paced), or while a first contact's response is awaited; else undefined. */
  #learningWait(key: string, now: number): StoreDecision | undefined {
    const hold = this.#holds.get(key);
    if (hold === undefined) return undefined;
    if (hold.until > now) return { allowed: false, granted: 0, retryAfterMs: Math.ceil(hold.until - now), remaining: -1, decidedAt: now, fallback: false };
    if (hold.learn === 0 && hold.learnUntil > now) {
      return { allowed: false, granted: 0, retryAfterMs: Math.max(1, Math.ceil(hold.learnUntil - now)), remaining: -1, decidedAt: now, fallback: false };
    }
    return undefined;
  }

  /** Learning: after the limits allowed `cost` units, the learned state moves on (a first contact, a count, or the pace). */
  #learned(key: string, set: LimitSet, cost: number, now: number, decision: StoreDecision): StoreDecision {
    let hold = this.#holds.get(key);
    if (hold === undefined) this.#holds.set(key, (hold = newHold()));
    const learned = hold.learnUntil > now ? hold.learn : undefined;
    const learn = set.learn!;
    if (learned === undefined) {
      hold.learn = 0;
      hold.probe = undefined;
      hold.learnUntil = now + learn.firstResponseTimeoutMs;
      return { ...decision, first: true };
    }
    if (learned < 0) {
      hold.learn = learned - cost;
      return decision;
    }
    // The pace keeps its schedule: a unit up to half an interval late (a busy event loop, a timer
    // that fired late) does not push the next one later; later than that, or after a pause, the
    // schedule starts again from now. No two units go closer than half an interval.
    const interval = currentInterval(learned, hold.probe, now) / learn.share;
    hold.until = (hold.until >= now - interval / 2 ? hold.until : now) + cost * interval;
    return decision.remaining > 0 ? { ...decision, remaining: 0 } : decision;
  }

  charge(key: string, set: LimitSet, units: number): void {
    const now = this.#clock.now();
    const entry = this.#entry(key, set, now);
    for (let i = 0; i < set.limits.length; i++) {
      const limit = set.limits[i]!;
      available(limit, entry.s, i * STATE_SLOTS, now);
      const e = consume(limit, entry.s, i * STATE_SLOTS, now, units);
      if (e > entry.expiresAt) entry.expiresAt = e;
    }
  }

  expiresAt(key: string, set: LimitSet): number {
    return this.#tables.get(set.id)?.get(key)?.expiresAt ?? 0;
  }

  /** The state of `key` under `set`, made (and counted against `maxEntries`) when new. */
  #entry(key: string, set: LimitSet, now: number): Entry {
    let table = this.#lastTable;
    if (set !== this.#lastSet) {
      table = this.#tables.get(set.id);
      if (table === undefined) this.#tables.set(set.id, (table = new Map()));
      this.#lastSet = set;
      this.#lastTable = table;
    }
    let entry = table!.get(key);
    if (entry === undefined) {
      if (++this.#insertsSinceSweep >= Math.max(1024, this.#size) || this.#size >= this.#maxEntries) this.#sweep(now);
      entry = { s: Array.from({ length: set.limits.length * STATE_SLOTS }, () => -Infinity), expiresAt: 0 };
      table!.set(key, entry);
      this.#size++;
    }
    return entry;
  }

  hold(key: string, ms: number): void {
    const until = this.#clock.now() + ms;
    const hold = this.#holdOf(key);
    if (hold.until < until) hold.until = until;
  }

  strike(key: string, baseMs: number, maxMs: number): number {
    const now = this.#clock.now();
    const hold = this.#holdOf(key);
    const ms = countStrike(hold, baseMs, maxMs, now);
    if (hold.until < now + ms) hold.until = now + ms;
    return ms;
  }

  learn(key: string, lesson: Lesson): LearnOutcome {
    const now = this.#clock.now();
    const hold = this.#holdOf(key);
    let ms = lesson.holdMs;
    if (lesson.strike !== undefined) ms = countStrike(hold, lesson.strike.baseMs, lesson.strike.maxMs, now);
    else if (lesson.clearStrikes) hold.strikes = 0;
    ms = Math.ceil(ms);
    if (ms > 0 && hold.until < now + ms) hold.until = now + ms;
    const live = hold.learnUntil > now;
    const next = learnStep(live ? hold.learn : undefined, live ? hold.probe : undefined, lesson, ms, now, hold.serialUntil > now ? hold.serial : 0);
    if (next !== undefined) {
      hold.learn = next.learn;
      hold.probe = next.probe;
      hold.learnUntil = now + lesson.ttlMs;
      hold.serial = next.serial;
      hold.serialUntil = next.serial > 0 ? now + lesson.ttlMs : 0;
    }
    const learned = hold.learnUntil > now ? hold.learn : undefined;
    const paced = learned !== undefined && learned > 0;
    return { holdMs: ms, intervalMs: paced ? learned : undefined, probing: paced && hold.probe !== undefined };
  }

  #holdOf(key: string): Hold {
    let hold = this.#holds.get(key);
    if (hold === undefined) this.#holds.set(key, (hold = newHold()));
    return hold;
  }

  clearStrikes(key: string): void {
    const hold = this.#holds.get(key);
    if (hold !== undefined) hold.strikes = 0;
  }

  /** Drops expired keys; if the store is still full, drops the oldest keys until a tenth is free. */
  #sweep(now: number): void {
    this.#insertsSinceSweep = 0;
    for (const table of this.#tables.values()) {
      for (const [key, entry] of table) {
        if (entry.expiresAt <= now) {
          table.delete(key);
          this.#size--;
        }
      }
    }
    for (const [key, hold] of this.#holds) {
      if (hold.until <= now && hold.strikesUntil <= now && hold.learnUntil <= now && hold.serialUntil <= now) this.#holds.delete(key);
    }
    if (this.#size < this.#maxEntries) return;
    const target = Math.min(this.#maxEntries - 1, Math.floor(this.#maxEntries * 0.9));
    for (const table of this.#tables.values()) {
      for (const key of table.keys()) {
        if (this.#size <= target) return;
        table.delete(key);
        this.#size--;
        this.#evictions++;
      }
    }
  }
}

/** A decision of a learning limiter without limits of its own: nothing but the learned state limits it. */
const unlimited = (cost: number, now: number): StoreDecision => ({ allowed: true, granted: cost, retryAfterMs: 0, remaining: Infinity, decidedAt: now, fallback: false });

/** Counts one more strike on `hold` and returns the backoff it earns, in ms. */
function countStrike(hold: Hold, baseMs: number, maxMs: number, now: number): number {
  if (hold.strikesUntil <= now) hold.strikes = 0;
  hold.strikes++;
  // Strikes are forgotten after a quiet spell of four maximum backoffs, as in the Redis store.
  hold.strikesUntil = now + maxMs * 4;
  return Math.min(baseMs * 2 ** (hold.strikes - 1), maxMs);
}

const MEMORY_STORE_OPTIONS = knownOptions<MemoryRateLimitStoreOptions>('memoryRateLimitStore()', {
  maxEntries: ['maxKeys', 'max', 'maxSize', 'size'],
  clock: [],
});

/**
 * Creates a {@link RateLimitStore} in this process's memory: the default of {@link rateLimiter}, and
 * the right one when a single process calls the API. Bounded by `maxEntries`; expired keys are reclaimed
 * as new ones arrive, with no timer.
 *
 * @example
 * ```ts
 * const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 }, store: memoryRateLimitStore({ maxEntries: 10_000 }) });
 * ```
 */
export function memoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): MemoryRateLimitStore {
  expectOptions('options', options, MEMORY_STORE_OPTIONS);
  const maxEntries = options.maxEntries ?? 100_000;
  expectInteger('maxEntries', maxEntries, { min: 1 });
  expectClock('clock', options.clock);
  return new Memory(maxEntries, options.clock ?? systemClock);
}
