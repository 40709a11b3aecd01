import {
  expectClock,
  expectInteger,
  expectNumber,
  expectOptions,
  knownOptions,
  MAX_DURATION_MS,
  systemClock,
  type Clock,
} from '@bulwark/core';

/** Options for {@link retryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call made, over the window: 0.2 lets 1 retry through for every 5 calls. @default 0.2 */
  readonly ratio?: number;
  /** Retries always allowed per second of window, however few calls were made (the floor). @default 10 */
  readonly minRetriesPerSecond?: number;
  /** The sliding window over which calls and retries are counted, in milliseconds: from 10 to 100 years (core's `MAX_DURATION_MS`). @default 10_000 */
  readonly windowMs?: number;
  /** Time source; inject a fake clock in tests. @default systemClock */
  readonly clock?: Clock;
}

/**
 * A budget of retries shared by every retry policy that holds it. Create one with {@link retryBudget}.
 *
 * Policies call {@link RetryBudget.recordCall} once per `execute` and {@link RetryBudget.tryRetry}
 * before each retry or hedged attempt; you only read {@link RetryBudget.available}.
 */
export interface RetryBudget {
  /** Retries the budget would allow now. */
  readonly available: number;
  /** Counts one call (a first attempt). */
  recordCall(): void;
  /** Takes one retry from the budget; `false` when it is spent (nothing is taken then). */
  tryRetry(): boolean;
}

const BUCKETS = 10;

/** Why `windowMs` is at most core's `MAX_DURATION_MS`, in words, for messages. */
const MAX_WINDOW_WHY = '100 years, the bound of every window in Bulwark';

class SlidingBudget implements RetryBudget {
  readonly #ratio: number;
  readonly #floor: number;
  readonly #bucketMs: number;
  readonly #clock: Clock;
  readonly #calls = new Float64Array(BUCKETS);
  readonly #retries = new Float64Array(BUCKETS);
  #callTotal = 0;
  #retryTotal = 0;
  #bucket = 0;

  constructor(ratio: number, floor: number, windowMs: number, clock: Clock) {
    this.#ratio = ratio;
    this.#floor = floor;
    this.#bucketMs = windowMs / BUCKETS;
    this.#clock = clock;
    this.#bucket = Math.floor(clock.monotonic() / this.#bucketMs);
  }

  get available(): number {
    this.#advance();
    return Math.max(0, Math.floor(this.#balance()));
  }

  recordCall(): void {
    this.#advance();
    this.#calls[this.#bucket % BUCKETS]!++;
    this.#callTotal++;
  }

  tryRetry(): boolean {
    this.#advance();
    if (this.#balance() < 1) return false;
    this.#retries[this.#bucket % BUCKETS]!++;
    this.#retryTotal++;
    return true;
  }

  #balance(): number {
    return this.#floor + this.#ratio * this.#callTotal - this.#retryTotal;
  }

  /** Moves the window to now, dropping the buckets that fell out of it. */
  #advance(): void {
    const now = Math.floor(this.#clock.monotonic() / this.#bucketMs);
    const steps = Math.min(BUCKETS, now - this.#bucket);
    for (let i = 1; i <= steps; i++) {
      const slot = (this.#bucket + i) % BUCKETS;
      this.#callTotal -= this.#calls[slot]!;
      this.#retryTotal -= this.#retries[slot]!;
      this.#calls[slot] = 0;
      this.#retries[slot] = 0;
    }
    if (now > this.#bucket) this.#bucket = now;
  }
}

const RETRY_BUDGET_OPTIONS = knownOptions<RetryBudgetOptions>('retryBudget()', {
  ratio: ['percentCanRetry', 'retryRatio'],
  minRetriesPerSecond: [],
  windowMs: [],
  clock: [],
});

/**
 * Creates a retry budget, as Finagle's `RetryBudget` and gRPC's retry throttling do: over a sliding
 * window, retries are allowed up to `ratio` × calls made plus a floor of `minRetriesPerSecond` ×
 * the window's seconds. Hand the same budget to every policy that calls one dependency; when the
 * dependency fails hard, retries stop at a bounded fraction of the traffic instead of multiplying it,
 * and a refused retry fails fast with `RetryBudgetExhaustedError`.
 *
 * The window is kept in ten buckets, so calls leave it in steps of `windowMs / 10`.
 *
 * @example
 * ```ts
 * const budget = retryBudget({ ratio: 0.1 });
 * const search = retry({ budget });
 * const lookup = retry({ budget, maxAttempts: 5 });
 * ```
 */
export function retryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  expectOptions('options', options, RETRY_BUDGET_OPTIONS);
  const ratio = options.ratio ?? 0.2;
  const minPerSecond = options.minRetriesPerSecond ?? 10;
  const windowMs = options.windowMs ?? 10_000;
  expectNumber('ratio', ratio, { min: 0 });
  expectNumber('minRetriesPerSecond', minPerSecond, { min: 0 });
  // Past core's bound the floor (`minRetriesPerSecond` × the window's seconds) is so large that the
  // budget never refuses a retry: a typo'd window would switch it off without a word.
  expectInteger('windowMs', windowMs, { min: 10, max: MAX_DURATION_MS, reason: MAX_WINDOW_WHY });
  expectClock('clock', options.clock);
  return new SlidingBudget(ratio, (minPerSecond * windowMs) / 1000, windowMs, options.clock ?? systemClock);
}
