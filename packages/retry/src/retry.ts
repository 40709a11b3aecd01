import {
  CallContext,
  describeValue,
  EventEmitter,
  expectBoolean,
  expectClock,
  expectFunction,
  expectName,
  expectInteger,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  sleep,
  systemClock,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Clock,
  type Event,
  type EventPayload,
  type Policy,
  type PolicyFunction,
} from '@bulwark/core';
import type { IBackoffFactory, IRetryBackoffContext } from 'cockatiel';
import type { ResultAsync } from 'neverthrow';
import type { Backoff } from './backoff.js';
import { constantBackoff } from './constant-backoff.js';
import { decorrelatedJitterBackoff } from './decorrelated-jitter-backoff.js';
import { exponentialBackoff } from './exponential-backoff.js';
import { FixedDelayQueue } from './internal/fixed-delay-queue.js';
import { HedgedRun } from './internal/hedged-run.js';
import { retryAfterMs } from './internal/inspect.js';
import { RunState } from './internal/run-state.js';
import { isRetryableError } from './is-retryable-error.js';
import { requestMayHaveBeenSent } from './request-may-have-been-sent.js';
import { RetriesExhaustedError } from './retries-exhausted-error.js';
import { RetryBudgetExhaustedError } from './retry-budget-exhausted-error.js';
import type { RetryBudget } from './retry-budget.js';

/** A cockatiel backoff (`ExponentialBackoff`, `IterableBackoff`, ...), accepted as {@link RetryOptions.backoff}. */
export type CockatielBackoff = IBackoffFactory<IRetryBackoffContext<unknown>>;

/** What {@link RetryOptions.shouldRetry} is told besides the error. */
export interface ShouldRetryContext {
  /** The number of the attempt that failed, from 1. */
  readonly attempt: number;
}

/** Options for hedging (see {@link RetryOptions.hedge}). */
export interface HedgeOptions {
  /** How long an attempt may run alone before another one is started beside it, in milliseconds. */
  readonly delayMs: number;
  /** How many hedged (extra, concurrent) attempts one `execute` may start in all. @default 1 */
  readonly maxHedgedAttempts?: number;
}

/** Options for {@link retry}. Every field is optional. */
export interface RetryOptions {
  /**
   * The most calls `execute` makes, the first one included: `maxAttempts: 3` means one call and up
   * to two retries. (cockatiel's `maxAttempts` counts retries only: its `maxAttempts: 3` makes up to
   * four calls.) Hedged attempts count too. `Infinity` is allowed; bound it with `maxElapsedMs`.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * How long to wait before each retry: a {@link Backoff} function, or a cockatiel backoff
   * (`new ExponentialBackoff()`, `new IterableBackoff([...])`) if you have one already.
   * @default exponentialBackoff() — full jitter, 100 ms doubling
   */
  readonly backoff?: Backoff | CockatielBackoff;
  /** The cap on one wait chosen by the backoff, in milliseconds (a server's `retryAfterMs` may exceed it). @default 30_000 */
  readonly maxDelayMs?: number;
  /**
   * The overall deadline, in milliseconds from the start of `execute`: no wait may end past it. When
   * the next wait would, the policy gives up at once with `RetriesExhaustedError` (`reason: 'deadline'`).
   * It does not cut an attempt short: pair with core's `timeout` for that. A wait longer than a timer
   * can hold (2³¹−1 ms, about 24.8 days) counts as crossing it even when this is `Infinity`.
   * @default Infinity
   */
  readonly maxElapsedMs?: number;
  /** Which failures are worth another attempt. @default isRetryableError */
  readonly shouldRetry?: (error: unknown, context: ShouldRetryContext) => boolean;
  /**
   * Whether repeating the call is safe once the server may have received it. With `false`, a failure
   * is retried only if `requestMayHaveBeenSent(error)` is `false` (a refused connection, a failed DNS
   * lookup, an open circuit, or an error that says `requestSent: false`).
   * @default true
   */
  readonly idempotent?: boolean;
  /** Whether the request may have reached the server, for `idempotent: false`. @default requestMayHaveBeenSent */
  readonly requestMayHaveBeenSent?: (error: unknown) => boolean;
  /** A retry budget shared with other policies; a retry it refuses fails with `RetryBudgetExhaustedError`. */
  readonly budget?: RetryBudget;
  /**
   * Hedging: start another attempt when one has run `delayMs` without an answer; the first success
   * wins and the others are aborted through their `signal`. Only for idempotent calls.
   */
  readonly hedge?: HedgeOptions;
  /**
   * Let the process exit while a wait is pending (the timers are `unref`'d). By default a wait holds
   * the process, as every wait a caller awaits does in Bulwark: a script awaiting `execute` gets its
   * answer instead of exiting mid-wait with code 13. Set `true` only where a pending retry must never
   * keep a finished process alive; an `execute` still awaited then never settles.
   * @default false
   */
  readonly unref?: boolean;
  /** Time source; inject a fake clock in tests. @default systemClock */
  readonly clock?: Clock;
  /** Random source for jitter, uniform in [0, 1); seed it in tests. @default Math.random */
  readonly random?: () => number;
  /** A name for logs and metrics, carried by every event. @default 'retry' */
  readonly name?: string;
}

/** Emitted by {@link RetryPolicy.onRetry} before each wait. */
export interface RetryEvent extends EventPayload {
  /** The number of the attempt that failed, from 1; the next one is `attempt + 1`. */
  readonly attempt: number;
  /** The wait before the next attempt, in milliseconds. */
  readonly delayMs: number;
  /** The error the attempt failed with. */
  readonly error: unknown;
}

/** Why a policy stopped retrying; see {@link GiveUpEvent}. */
export type GiveUpReason = 'max-attempts' | 'deadline' | 'budget' | 'not-retryable' | 'not-idempotent' | 'aborted';

/** Emitted by {@link RetryPolicy.onGiveUp} when `execute` fails for good. */
export interface GiveUpEvent extends EventPayload {
  /** How many calls were made. */
  readonly attempts: number;
  /** The last attempt's error (the abort reason for `'aborted'`). */
  readonly error: unknown;
  /** Why the policy stopped. */
  readonly reason: GiveUpReason;
}

/** Emitted by {@link RetryPolicy.onSuccess} when `execute` succeeds. */
export interface SuccessEvent extends EventPayload {
  /** How many calls were made, the successful one included. */
  readonly attempts: number;
}

/** Emitted by {@link RetryPolicy.onHedge} when a hedged attempt starts. */
export interface HedgeEvent extends EventPayload {
  /** The number of the attempt being started. */
  readonly attempt: number;
  /** How long the previous attempt had run alone, in milliseconds. */
  readonly delayMs: number;
}

/** A {@link Policy} that retries failed calls. Create one with {@link retry}. */
export interface RetryPolicy extends Policy {
  /** The policy's name, for logs and metrics. */
  readonly name: string;
  /** The most calls one `execute` makes, the first included. */
  readonly maxAttempts: number;
  /** Fires before each wait for a retry. */
  readonly onRetry: Event<RetryEvent>;
  /** Fires when `execute` fails for good. */
  readonly onGiveUp: Event<GiveUpEvent>;
  /** Fires when `execute` succeeds. */
  readonly onSuccess: Event<SuccessEvent>;
  /** Fires when a hedged attempt starts. */
  readonly onHedge: Event<HedgeEvent>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const neverAborted = new AbortController().signal;

interface Config {
  readonly name: string;
  readonly maxAttempts: number;
  readonly backoff: Backoff | CockatielBackoff;
  readonly maxDelayMs: number;
  readonly maxElapsedMs: number;
  readonly shouldRetry: (error: unknown, context: ShouldRetryContext) => boolean;
  readonly idempotent: boolean;
  readonly requestMayHaveBeenSent: (error: unknown) => boolean;
  readonly budget: RetryBudget | undefined;
  readonly hedge: Required<HedgeOptions> | undefined;
  readonly unref: boolean;
  readonly clock: Clock;
  readonly random: () => number;
}

class Retry implements RetryPolicy {
  readonly name: string;
  readonly maxAttempts: number;
  readonly #onRetry = new EventEmitter<RetryEvent>();
  readonly #onGiveUp = new EventEmitter<GiveUpEvent>();
  readonly #onSuccess = new EventEmitter<SuccessEvent>();
  readonly #onHedge = new EventEmitter<HedgeEvent>();
  readonly onRetry = this.#onRetry.event;
  readonly onGiveUp = this.#onGiveUp.event;
  readonly onSuccess = this.#onSuccess.event;
  readonly onHedge = this.#onHedge.event;
  readonly config: Config;
  /** Whether `execute` must read the clock when it starts. */
  readonly timed: boolean;
  /** Pending hedges of every call of this policy, on one timer. */
  readonly hedges: FixedDelayQueue | undefined;

  constructor(config: Config) {
    this.config = config;
    this.name = config.name;
    this.maxAttempts = config.maxAttempts;
    this.timed = config.maxElapsedMs !== Infinity;
    this.hedges =
      config.hedge === undefined ? undefined : new FixedDelayQueue(config.clock, config.hedge.delayMs, config.unref);
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    expectFunction('fn', fn);
    const context = new CallContext(signal, 1);
    if (context.aborted) throw context.reason;
    const { budget } = this.config;
    if (budget !== undefined) budget.recordCall();
    const start = this.timed ? this.config.clock.monotonic() : 0;
    if (this.config.hedge !== undefined) return new HedgedRun(this, fn, signal, start).promise;
    try {
      const value = await fn(context);
      context.release();
      if (this.#onSuccess.hasListeners) this.#onSuccess.emit({ attempts: 1, name: this.name });
      return value;
    } catch (error) {
      context.release();
      return this.#retry(fn, signal, context, error, start);
    }
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }

  /** The slow path, entered after the first attempt fails. */
  async #retry<T>(
    fn: PolicyFunction<T>,
    signal: AbortSource | undefined,
    first: CallContext,
    error: unknown,
    start: number,
  ): Promise<T> {
    const run = new RunState(start, signal);
    run.attempts = 1;
    run.errors.push(error);
    let context = first;
    const { clock, unref } = this.config;
    const sleepOptions = signal === undefined ? { clock, unref } : { signal, clock, unref };
    for (;;) {
      if (context.aborted) throw this.giveUp(run, 'aborted', context.reason, context.reason);
      this.check(run, run.errors[run.errors.length - 1]);
      const delayMs = this.nextDelay(run);
      try {
        await sleep(delayMs, sleepOptions);
      } catch (reason) {
        throw this.giveUp(run, 'aborted', reason, reason);
      }
      context = new CallContext(signal, ++run.attempts);
      try {
        const value = await fn(context);
        context.release();
        if (this.#onSuccess.hasListeners) this.#onSuccess.emit({ attempts: run.attempts, name: this.name });
        return value;
      } catch (failure) {
        context.release();
        run.errors.push(failure);
      }
    }
  }

  /** Throws (after emitting `onGiveUp`) when `error` must not be retried whatever the limits. */
  check(run: RunState, error: unknown): void {
    const { config } = this;
    if (!config.shouldRetry(error, { attempt: run.attempts })) throw this.giveUp(run, 'not-retryable', error, error);
    if (!config.idempotent && config.requestMayHaveBeenSent(error)) {
      throw this.giveUp(run, 'not-idempotent', error, error);
    }
  }

  /** The wait before the next attempt; throws (after emitting `onGiveUp`) when a limit says stop. */
  nextDelay(run: RunState): number {
    const { config } = this;
    const error = run.errors[run.errors.length - 1];
    const attempt = run.attempts;
    if (attempt >= config.maxAttempts) {
      throw this.giveUp(
        run,
        'max-attempts',
        error,
        new RetriesExhaustedError({ reason: 'max-attempts', errors: run.errors, attempts: attempt, limit: config.maxAttempts }),
      );
    }
    let delayMs = this.#backoffDelay(run, error);
    run.previousDelayMs = delayMs;
    const hint = retryAfterMs(error);
    const hinted = hint !== undefined && hint > delayMs;
    if (hinted) delayMs = hint;
    const limit = Math.min(config.maxElapsedMs, MAX_TIMER_MS);
    const elapsed = this.timed ? config.clock.monotonic() - run.start : 0;
    if (elapsed + delayMs > limit) {
      throw this.giveUp(
        run,
        'deadline',
        error,
        new RetriesExhaustedError({
          reason: 'deadline',
          errors: run.errors,
          attempts: attempt,
          limit,
          delayMs,
          serverHint: hinted,
          limitedBy: config.maxElapsedMs > MAX_TIMER_MS ? 'timer' : 'maxElapsedMs',
        }),
      );
    }
    if (config.budget !== undefined && !config.budget.tryRetry()) {
      throw this.giveUp(run, 'budget', error, new RetryBudgetExhaustedError(attempt, run.errors));
    }
    if (this.#onRetry.hasListeners) this.#onRetry.emit({ attempt, delayMs, error, name: this.name });
    return delayMs;
  }

  #backoffDelay(run: RunState, error: unknown): number {
    const { backoff, maxDelayMs, random } = this.config;
    let ms: unknown;
    if (typeof backoff === 'function') {
      ms = backoff({ attempt: run.attempts, error, previousDelayMs: run.previousDelayMs, maxDelayMs, random });
    } else {
      const source = run.signal;
      const signal = source === undefined ? neverAborted : source instanceof AbortSignal ? source : source.signal;
      const context: IRetryBackoffContext<unknown> = { attempt: run.attempts, signal, result: { error } };
      run.cockatiel = run.cockatiel === undefined ? backoff.next(context) : run.cockatiel.next(context);
      ms = run.cockatiel.duration;
    }
    if (typeof ms !== 'number' || !(ms >= 0)) {
      throw new TypeError(`Expected \`backoff\` to return a non-negative number of milliseconds, got ${describeValue(ms)}.`);
    }
    return Math.min(ms, maxDelayMs);
  }

  /** Emits `onGiveUp` and returns what `execute` rejects with. */
  giveUp(run: RunState, reason: GiveUpReason, error: unknown, thrown: unknown): unknown {
    if (this.#onGiveUp.hasListeners) this.#onGiveUp.emit({ attempts: run.attempts, error, reason, name: this.name });
    return thrown;
  }

  succeeded(attempts: number): void {
    if (this.#onSuccess.hasListeners) this.#onSuccess.emit({ attempts, name: this.name });
  }

  hedged(attempt: number, delayMs: number): void {
    if (this.#onHedge.hasListeners) this.#onHedge.emit({ attempt, delayMs, name: this.name });
  }
}

const RETRY_OPTIONS = knownOptions<RetryOptions>('retry()', {
  maxAttempts: ['retries', 'attempts', 'maxRetries', 'times', 'limit'],
  backoff: ['delay', 'strategy'],
  maxDelayMs: ['maxDelay', 'maxTimeout'],
  maxElapsedMs: ['maxRetryTime', 'maxElapsedTime', 'deadlineMs'],
  shouldRetry: ['retryIf', 'retryOn', 'shouldRetryOnError', 'handle'],
  idempotent: [],
  requestMayHaveBeenSent: [],
  budget: [],
  hedge: [],
  unref: [],
  clock: [],
  random: [],
  name: [],
});

const HEDGE_OPTIONS = knownOptions<HedgeOptions>('retry()', {
  delayMs: [],
  maxHedgedAttempts: [],
});

/**
 * Creates a policy that calls a function again when it fails with a failure worth retrying, waiting
 * between attempts, within a number of attempts, a deadline and (optionally) a retry budget shared
 * with other policies.
 *
 * - `maxAttempts` counts every call, the first included (unlike cockatiel's, which counts retries).
 * - Waits follow `backoff` (default: exponential with full jitter), cut to `maxDelayMs`, lengthened to
 *   a server's `retryAfterMs`; a wait that would cross `maxElapsedMs` ends the call at once with
 *   `RetriesExhaustedError` instead.
 * - Failures not worth retrying (see `isRetryableError`), and with `idempotent: false` failures after
 *   which the request may have reached the server, reject with the function's own error, untouched.
 * - The caller's signal cancels a wait at once and reaches each attempt's `signal`; `execute` then
 *   rejects with the abort reason.
 * - With `hedge`, a slow attempt gets company after `hedge.delayMs`; the first success wins and the
 *   others are aborted through their `signal`.
 * - Waits hold the process open, as an awaited wait should: a script awaiting `execute` at top level
 *   waits and gets its answer. `unref: true` lets the process exit mid-wait instead.
 *
 * @example
 * ```ts
 * declare function fetchJson(path: string, init: { signal: AbortSignal }): Promise<{ name: string }>;
 * const id = 42;
 * const policy = retry({ maxAttempts: 4, maxElapsedMs: 10_000 });
 * const user = await policy.execute(({ signal }) => fetchJson(`/users/${id}`, { signal }));
 * ```
 */
export function retry(options: RetryOptions = {}): RetryPolicy {
  expectOptions('options', options, RETRY_OPTIONS);
  const maxAttempts = options.maxAttempts ?? 3;
  expectInteger('maxAttempts', maxAttempts, { min: 1, allowInfinity: true });
  const backoff = options.backoff ?? exponentialBackoff();
  if (typeof backoff !== 'function' && typeof (backoff as { next?: unknown } | null)?.next !== 'function') {
    throw invalidOption('backoff', backoff, 'a backoff function or a cockatiel backoff (an object with next)');
  }
  expectNotBackoffMaker(backoff);
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  expectNumber('maxDelayMs', maxDelayMs, { min: 0, max: MAX_TIMER_MS });
  const maxElapsedMs = options.maxElapsedMs ?? Infinity;
  expectNumber('maxElapsedMs', maxElapsedMs, { min: 0, allowInfinity: true });
  const shouldRetry = options.shouldRetry ?? isRetryableError;
  expectFunction('shouldRetry', shouldRetry);
  const idempotent = options.idempotent ?? true;
  expectBoolean('idempotent', idempotent);
  const maySent = options.requestMayHaveBeenSent ?? requestMayHaveBeenSent;
  expectFunction('requestMayHaveBeenSent', maySent);
  const { budget } = options;
  if (budget !== undefined && (typeof budget?.tryRetry !== 'function' || typeof budget.recordCall !== 'function')) {
    throw invalidOption('budget', budget, 'a RetryBudget (from retryBudget())');
  }
  let hedge: Required<HedgeOptions> | undefined;
  if (options.hedge !== undefined) {
    expectOptions('hedge', options.hedge, HEDGE_OPTIONS);
    expectNumber('hedge.delayMs', options.hedge.delayMs, { min: 0, max: MAX_TIMER_MS });
    const maxHedgedAttempts = options.hedge.maxHedgedAttempts ?? 1;
    expectInteger('hedge.maxHedgedAttempts', maxHedgedAttempts, { min: 1 });
    if (!idempotent) throw invalidOption('hedge', options.hedge, 'undefined when `idempotent` is false (hedging repeats calls in flight)');
    hedge = { delayMs: options.hedge.delayMs, maxHedgedAttempts };
  }
  const unref = options.unref ?? false;
  expectBoolean('unref', unref);
  expectClock('clock', options.clock);
  const random = options.random ?? Math.random;
  expectFunction('random', random);
  const name = options.name ?? 'retry';
  expectName(name);
  return new Retry({
    name,
    maxAttempts,
    backoff,
    maxDelayMs,
    maxElapsedMs,
    shouldRetry,
    idempotent,
    requestMayHaveBeenSent: maySent,
    budget,
    hedge,
    unref,
    clock: options.clock ?? systemClock,
    random,
  });
}

const BACKOFF_FACTORIES: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [exponentialBackoff, 'exponentialBackoff()'],
  [decorrelatedJitterBackoff, 'decorrelatedJitterBackoff()'],
  [constantBackoff, 'constantBackoff(delayMs)'],
]);

/**
 * Refuses a backoff factory or a cockatiel backoff class passed uncalled (`backoff: exponentialBackoff`,
 * `backoff: ExponentialBackoff`): both are functions, so they would pass for a backoff function and
 * fail only at the first retry, with a message about the factory's options or a class called without `new`.
 */
function expectNotBackoffMaker(backoff: unknown): void {
  const factory = BACKOFF_FACTORIES.get(backoff);
  if (factory !== undefined) throw invalidOption('backoff', backoff, `a backoff, not the factory that makes one: \`${factory}\``);
  const prototype = typeof backoff === 'function' ? (backoff.prototype as { next?: unknown } | undefined) : undefined;
  if (typeof prototype?.next === 'function') {
    throw invalidOption('backoff', backoff, `a cockatiel backoff, not its class: \`new ${(backoff as { name: string }).name}()\``);
  }
}
