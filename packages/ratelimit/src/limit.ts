import { expectInteger, expectOneOf, expectOptions, invalidOption, knownOptions, MAX_DURATION_MS } from '@bulwark/core';
import { MAX_FIXED_LIMIT, MAX_SLIDING_LIMIT } from './internal/redis-scripts.js';

/**
 * How a limit counts.
 * - `gcra`: the generic cell rate algorithm, a token bucket kept as one timestamp: `limit` per
 *   `windowMs` as a steady rate, with up to `burst` at once. Exact, smooth, the default.
 * - `sliding-window`: a counter over the current and previous fixed windows, the previous one
 *   weighted by how much of it still overlaps. Exact per aligned window; see the README for its
 *   error bound over an arbitrary trailing window.
 * - `fixed-window`: a counter per aligned window. Exact per window, but up to twice the limit can
 *   pass across a window boundary.
 */
export type LimitAlgorithm = 'gcra' | 'sliding-window' | 'fixed-window';

/** One limit on a key, such as "100 per second with a burst of 20" or "10,000 per day". */
export interface LimitOptions {
  /**
   * How many units (calls, by default of cost 1) are allowed per `windowMs`: a positive integer; at
   * most 33,554,431 for a sliding window.
   */
  readonly limit: number;
  /**
   * The window, in milliseconds: a positive integer of at most 100 years (3_155_760_000_000), the
   * longest duration the Redis store keeps exactly.
   */
  readonly windowMs: number;
  /** The counting algorithm. @default 'gcra' */
  readonly algorithm?: LimitAlgorithm;
  /**
   * `gcra` only: the most units allowed at once (the bucket size), a positive integer; a full bucket
   * must refill (`burst × windowMs / limit`) within 100 years.
   * @default limit
   */
  readonly burst?: number;
  /**
   * A name for this limit, part of its store key: give one to keep counting across a change of the
   * limit's numbers (a change of algorithm starts afresh); by default the name is derived from them
   * (`gcra-100-1000-20`).
   */
  readonly name?: string;
}

/** @internal A validated limit, as stores consume it. */
export interface CompiledLimit {
  readonly id: string;
  readonly algorithm: LimitAlgorithm;
  readonly limit: number;
  readonly windowMs: number;
  /** Units allowed at once: `burst` for GCRA, `limit` for the windows. */
  readonly capacity: number;
  /** One letter for the Lua script: g, s or f. */
  readonly code: 'g' | 's' | 'f';
  /**
   * The limit's part of a store key: the derived id (which names the algorithm), or a given name
   * with the algorithm's letter (`day:f`), so that changing the algorithm under one name starts
   * afresh instead of reading another algorithm's state.
   */
  readonly key: string;
}

const CODES = { gcra: 'g', 'sliding-window': 's', 'fixed-window': 'f' } as const;

/**
 * @internal What core's `MAX_DURATION_MS` is, in words, for messages: the bound of every duration a
 * limiter takes (a window, a bucket's refill, a server hold, a backoff). Past it the Redis store's
 * expiries are no longer exact integers, Redis refuses them, and the limiter would live on its local
 * fallback for good.
 */
export const MAX_DURATION_WHY = '100 years, the longest duration the Redis store keeps exactly';

const LIMIT_OPTIONS = knownOptions<LimitOptions>('rateLimiter()', {
  limit: ['max', 'points', 'count', 'requests'],
  windowMs: ['window', 'duration', 'interval', 'intervalMs', 'per', 'perMs'],
  algorithm: [],
  burst: [],
  name: [],
});

/** @internal Validates limit options (`field` names them in errors) and compiles them for stores. */
export function compileLimit(field: string, options: LimitOptions): CompiledLimit {
  expectOptions(field, options, LIMIT_OPTIONS);
  if (options === undefined) throw invalidOption(field, options, 'a limit ({ limit, windowMs })');
  const algorithm = options.algorithm ?? 'gcra';
  expectOneOf(`${field}.algorithm`, algorithm, ['gcra', 'sliding-window', 'fixed-window'] as const);
  // Both window counts of a sliding limit share one number in the Redis store (see redis-scripts.ts).
  if (algorithm === 'sliding-window') {
    expectInteger(`${field}.limit`, options.limit, { min: 1, max: MAX_SLIDING_LIMIT, reason: 'for a sliding-window limit; use gcra for more per window' });
  } else if (algorithm === 'fixed-window') {
    expectInteger(`${field}.limit`, options.limit, { min: 1, max: MAX_FIXED_LIMIT, reason: 'for a fixed-window limit' });
  } else {
    expectInteger(`${field}.limit`, options.limit, { min: 1 });
  }
  expectInteger(`${field}.windowMs`, options.windowMs, { min: 1, max: MAX_DURATION_MS, reason: MAX_DURATION_WHY });
  if (options.burst !== undefined && algorithm !== 'gcra') {
    throw invalidOption(`${field}.burst`, options.burst, 'undefined for a window algorithm (burst applies to gcra only)');
  }
  const capacity = options.burst ?? options.limit;
  // A full GCRA bucket refills in burst × windowMs / limit: the longest its state lives.
  const maxBurst = Math.floor((MAX_DURATION_MS * options.limit) / options.windowMs);
  expectInteger(`${field}.burst`, capacity, { min: 1, max: maxBurst, reason: `a full bucket must refill within ${MAX_DURATION_WHY}` });
  const code = CODES[algorithm];
  let id: string;
  if (options.name !== undefined) {
    if (typeof options.name !== 'string' || !/^[\w.-]{1,64}$/.test(options.name)) {
      throw invalidOption(`${field}.name`, options.name, 'a name of 1 to 64 letters, digits, dots, dashes or underscores');
    }
    id = options.name;
  } else {
    id = `${algorithm}-${options.limit}-${options.windowMs}${algorithm === 'gcra' ? `-${capacity}` : ''}`;
  }
  const key = options.name === undefined ? id : `${id}:${code}`;
  return { id, algorithm, limit: options.limit, windowMs: options.windowMs, capacity, code, key };
}
