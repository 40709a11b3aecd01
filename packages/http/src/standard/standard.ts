import {
  bulkhead,
  expectBoolean,
  expectClock,
  expectFunction,
  expectInteger,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  pipeline,
  timeout,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Clock,
  type Policy,
  type PolicyFunction,
} from '@bulwark/core';
import { circuitBreakerRegistry, isCircuitFailure } from '@bulwark/breaker';
import {
  exponentialBackoff,
  isRetriesExhaustedError,
  isRetryBudgetExhaustedError,
  retry,
  type Backoff,
  type HedgeOptions,
  type RetryBudget,
  type ShouldRetryContext,
} from '@bulwark/retry';
import type { ResultAsync } from 'neverthrow';
import type { HttpPolicySource, HttpRequestInfo } from '../http-request-info.js';
import { retryWaitsUpTo } from './internal/retry-waits.js';

/** The concurrency limit of {@link standard}: a core `bulkhead`. */
export interface StandardBulkheadOptions {
  /** Requests running at once. @default 1000 */
  readonly limit?: number;
  /** Requests that may wait for a slot; beyond them a request fails at once with `BulkheadFullError`. @default 0 */
  readonly queue?: number;
}

/** The retry of {@link standard}: a `retry` of `@bulwark/retry`. */
export interface StandardRetryOptions {
  /** Attempts in all, the first included: 4 is one request and three retries. @default 4 */
  readonly maxAttempts?: number;
  /** The wait before each retry. @default exponentialBackoff({ initialDelayMs: 2_000 }) — full jitter, 2 s doubling */
  readonly backoff?: Backoff;
  /** The cap on one wait chosen by the backoff, in milliseconds (a server's `Retry-After` may exceed it). @default 30_000 */
  readonly maxDelayMs?: number;
  /** Which failures are worth another attempt. @default isRetryableError of `@bulwark/retry` (transient ones) */
  readonly shouldRetry?: (error: unknown, context: ShouldRetryContext) => boolean;
  /** A retry budget shared with other policies. */
  readonly budget?: RetryBudget;
  /**
   * With `true`, the retry's waits do not hold the process open (as `unref` of `@bulwark/retry`). By
   * default they do, as every wait a caller awaits: a script awaiting a request gets its answer.
   * @default false
   */
  readonly unref?: boolean;
}

/** The breakers of {@link standard}: one `circuitBreaker` of `@bulwark/breaker` per origin. */
export interface StandardBreakerOptions {
  /** The sampling window, in milliseconds: at least twice the attempt timeout. @default 30_000 */
  readonly windowMs?: number;
  /** Calls the window must hold before it may open the circuit. @default 100 */
  readonly minimumCalls?: number;
  /** Share of failed calls, from 0 (exclusive) to 1, that opens the circuit. @default 0.1 */
  readonly failureRateThreshold?: number;
  /** How long the circuit stays open before a probe, in milliseconds. @default 5_000 */
  readonly halfOpenAfterMs?: number;
  /** Origins whose breakers are kept at most. @default 1_000 */
  readonly maxEntries?: number;
  /**
   * Which errors count against the circuit.
   * @default isCircuitFailure of `@bulwark/breaker`, except the client's own refusals (a rate limiter's, a request not sent again)
   */
  readonly isFailure?: (error: unknown) => boolean;
}

/** Breakers by origin: a `circuitBreakerRegistry()` of `@bulwark/breaker`, or anything with `get(origin)`. */
export interface BreakerSource {
  get(origin: string): Policy;
}

/**
 * Options for {@link standard}. Each part takes its options, your own policy in its place, or
 * `false` to leave it out.
 */
export interface StandardOptions {
  /** The concurrency limit, outermost. @default { limit: 1000, queue: 0 } */
  readonly bulkhead?: StandardBulkheadOptions | Policy | false;
  /** The limit on the whole request, retries and their waits included, in milliseconds. @default 30_000 */
  readonly totalTimeoutMs?: number | false;
  /**
   * The retry. Your own policy runs only for requests that may be sent again (see
   * `HttpRequestInfo`); the standard one also retries a POST without `Idempotency-Key` when the
   * failure proves it never reached the server (a refused connection, an open circuit).
   * @default { maxAttempts: 4, backoff: exponentialBackoff({ initialDelayMs: 2_000 }) }
   */
  readonly retry?: StandardRetryOptions | Policy | false;
  /** One circuit breaker per origin. @default { windowMs: 30_000, minimumCalls: 100, failureRateThreshold: 0.1, halfOpenAfterMs: 5_000 } */
  readonly breaker?: StandardBreakerOptions | BreakerSource | false;
  /** The limit on one attempt, innermost, in milliseconds. @default 10_000 */
  readonly attemptTimeoutMs?: number | false;
  /**
   * Hedging: when an attempt has run `delayMs` without an answer, start another beside it (a fresh
   * request with the same body and `Idempotency-Key`); the first answer wins and the other is
   * aborted. Only for requests that may be sent again; needs the standard retry.
   */
  readonly hedge?: HedgeOptions;
  /** Time source for every part; inject a fake clock in tests. @default systemClock */
  readonly clock?: Clock;
  /** Source of the retry's jitter, uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The standard pipeline; pass it as a client's `policy`. Create one with {@link standard}. */
export interface StandardPolicy extends HttpPolicySource {
  /** The breakers by origin, when the pipeline has them: `get(origin)` gives an origin's breaker. */
  readonly breakers: BreakerSource | undefined;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const STANDARD_OPTIONS = knownOptions<StandardOptions>('standard()', {
  bulkhead: ['concurrency', 'concurrencyLimiter'],
  totalTimeoutMs: ['totalRequestTimeout', 'totalTimeout', 'timeout', 'timeoutMs'],
  retry: ['retries'],
  breaker: ['circuitBreaker'],
  attemptTimeoutMs: ['attemptTimeout'],
  hedge: ['hedging'],
  clock: [],
  random: [],
});
const BULKHEAD_OPTIONS = knownOptions<StandardBulkheadOptions>('standard()', {
  limit: ['concurrency', 'maxConcurrent', 'maxConcurrency'],
  queue: ['maxQueue', 'queueSize', 'maxQueued'],
});
const RETRY_OPTIONS = knownOptions<StandardRetryOptions>('standard()', {
  maxAttempts: ['retries', 'attempts', 'maxRetries', 'maxRetryAttempts'],
  backoff: ['delay', 'backoffType'],
  maxDelayMs: ['maxDelay'],
  shouldRetry: ['shouldHandle', 'retryIf'],
  budget: [],
  unref: [],
});
const BREAKER_OPTIONS = knownOptions<StandardBreakerOptions>('standard()', {
  windowMs: ['samplingDuration', 'window'],
  minimumCalls: ['minimumThroughput'],
  failureRateThreshold: ['failureRatio', 'errorThresholdPercentage'],
  halfOpenAfterMs: ['breakDuration', 'resetTimeout', 'halfOpenAfter'],
  maxEntries: ['maxSize'],
  isFailure: ['shouldHandle'],
});
const HEDGE_OPTIONS = knownOptions<HedgeOptions>('standard()', {
  delayMs: ['delay', 'hedgingDelay'],
  maxHedgedAttempts: [],
});
const isPolicy = (value: unknown): value is Policy => typeof (value as Policy | null)?.execute === 'function';

/** Refusals made by the client itself, before or instead of a call: they say nothing about the origin. */
const LOCAL_REFUSALS: ReadonlySet<string> = new Set(['RATE_LIMITED', 'REQUEST_NOT_REPLAYABLE']);
const countsAgainstOrigin = (error: unknown): boolean =>
  isCircuitFailure(error) && !LOCAL_REFUSALS.has(String((error as { code?: unknown } | null)?.code));

/**
 * The retry, rejecting with the last attempt's own error when it gives up (out of attempts, out of
 * budget, or a wait that would cross the total timeout), so that the caller gets the `HttpError`
 * with its `status` and `retryAfterMs` at once, not a wrapper.
 */
class LastError implements Policy {
  readonly #inner: Policy;
  constructor(inner: Policy) {
    this.#inner = inner;
  }
  execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    return this.#inner.execute(fn, signal).catch((error: unknown) => {
      throw isRetriesExhaustedError(error) || isRetryBudgetExhaustedError(error) ? error.cause : error;
    });
  }
  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }
}

function timeoutMs(field: string, value: unknown, fallback: number): number | undefined {
  if (value === false) return undefined;
  const ms = value ?? fallback;
  expectNumber(field, ms, { min: 1, max: MAX_TIMER_MS });
  return ms;
}

function makeBulkhead(option: StandardOptions['bulkhead']): Policy | undefined {
  if (option === false) return undefined;
  if (isPolicy(option)) return option;
  expectOptions('bulkhead', option, BULKHEAD_OPTIONS);
  const limit = option?.limit ?? 1_000;
  const queue = option?.queue ?? 0;
  expectInteger('bulkhead.limit', limit, { min: 1 });
  expectInteger('bulkhead.queue', queue, { min: 0 });
  return bulkhead({ limit, queue });
}

interface Retries {
  /** For requests that may be sent again. */
  readonly idempotent: Policy | undefined;
  /** For a POST or PATCH without `Idempotency-Key`: retried only when it provably never left. */
  readonly unsent: Policy | undefined;
}

function makeRetries(options: StandardOptions, totalMs: number | undefined, clock: Clock | undefined): Retries {
  const option = options.retry;
  if (option === false || isPolicy(option)) {
    if (options.hedge !== undefined) {
      throw invalidOption('hedge', options.hedge, `undefined when \`retry\` is ${option === false ? 'false' : 'your own policy'} (hedged attempts are the standard retry's)`);
    }
    return { idempotent: option === false ? undefined : option, unsent: undefined };
  }
  expectOptions('retry', option, RETRY_OPTIONS);
  const maxAttempts = option?.maxAttempts ?? 4;
  expectInteger('retry.maxAttempts', maxAttempts, { min: 1, allowInfinity: true });
  const backoff = option?.backoff ?? exponentialBackoff({ initialDelayMs: 2_000 });
  expectFunction('retry.backoff', backoff);
  const maxDelayMs = option?.maxDelayMs ?? 30_000;
  expectNumber('retry.maxDelayMs', maxDelayMs, { min: 0, max: MAX_TIMER_MS });
  const unref = option?.unref ?? false;
  expectBoolean('retry.unref', unref);
  if (option?.shouldRetry !== undefined) expectFunction('retry.shouldRetry', option.shouldRetry);
  const budget = option?.budget as Partial<RetryBudget> | undefined;
  if (budget !== undefined && (typeof budget?.tryRetry !== 'function' || typeof budget.recordCall !== 'function')) {
    throw invalidOption('retry.budget', budget, 'a RetryBudget (from retryBudget() of @bulwark/retry)');
  }
  if (totalMs !== undefined) {
    const waits = retryWaitsUpTo(backoff, maxAttempts, maxDelayMs, totalMs);
    const sum = waits?.reduce((a, b) => a + b, 0);
    if (waits !== undefined && sum! > totalMs) {
      const cut = waits.length < maxAttempts - 1;
      const terms = waits.slice(0, 5).map((w) => String(Math.round(w)));
      if (cut || waits.length > 5) terms.push('...');
      throw new TypeError(
        `Expected the retry's longest waits added up (${terms.join(' + ')} = ${cut ? 'more than ' : ''}${Math.round(sum!)} ms, from \`retry.maxAttempts\` ${maxAttempts} and \`retry.backoff\`, each at most \`retry.maxDelayMs\` ${maxDelayMs}) to be at most \`totalTimeoutMs\` (${totalMs}): the last retries could never run.`,
      );
    }
  }
  const common = {
    maxAttempts,
    backoff,
    maxDelayMs,
    maxElapsedMs: totalMs ?? Infinity,
    unref,
    ...(option?.shouldRetry === undefined ? {} : { shouldRetry: option.shouldRetry }),
    ...(option?.budget === undefined ? {} : { budget: option.budget }),
    ...(clock === undefined ? {} : { clock }),
    ...(options.random === undefined ? {} : { random: options.random }),
  };
  return {
    idempotent: new LastError(retry({ ...common, ...(options.hedge === undefined ? {} : { hedge: options.hedge }) })),
    unsent: new LastError(retry({ ...common, idempotent: false })),
  };
}

function makeBreakers(option: StandardOptions['breaker'], attemptMs: number | undefined, clock: Clock | undefined): BreakerSource | undefined {
  if (option === false) return undefined;
  if (typeof (option as BreakerSource | undefined)?.get === 'function') return option as BreakerSource;
  const o = (option ?? {}) as StandardBreakerOptions;
  expectOptions('breaker', option, BREAKER_OPTIONS);
  const windowMs = o.windowMs ?? 30_000;
  expectNumber('breaker.windowMs', windowMs, { min: 1 });
  if (attemptMs !== undefined && windowMs < 2 * attemptMs) {
    throw invalidOption(
      'breaker.windowMs',
      windowMs,
      `at least twice \`attemptTimeoutMs\` (2 × ${attemptMs} = ${2 * attemptMs} ms), so that the window still holds the calls that timed out when it judges them`,
    );
  }
  const minimumCalls = o.minimumCalls ?? 100;
  expectInteger('breaker.minimumCalls', minimumCalls, { min: 1 });
  const failureRateThreshold = o.failureRateThreshold ?? 0.1;
  if (typeof failureRateThreshold !== 'number' || !(failureRateThreshold > 0 && failureRateThreshold <= 1)) {
    throw invalidOption('breaker.failureRateThreshold', failureRateThreshold, 'a number above 0 and at most 1');
  }
  const halfOpenAfterMs = o.halfOpenAfterMs ?? 5_000;
  expectNumber('breaker.halfOpenAfterMs', halfOpenAfterMs, { min: 0, max: MAX_TIMER_MS });
  const maxEntries = o.maxEntries ?? 1_000;
  expectInteger('breaker.maxEntries', maxEntries, { min: 1 });
  if (o.isFailure !== undefined) expectFunction('breaker.isFailure', o.isFailure);
  return circuitBreakerRegistry({
    breaker: {
      breaker: { kind: 'time', windowMs, minimumCalls, failureRateThreshold },
      halfOpenAfterMs,
      isFailure: o.isFailure ?? countsAgainstOrigin,
      ...(clock === undefined ? {} : { clock }),
    },
    maxEntries,
  });
}

class Standard implements StandardPolicy {
  readonly breakers: BreakerSource | undefined;
  readonly #outer: readonly Policy[];
  readonly #retries: Retries;
  readonly #attemptTimeout: Policy | undefined;

  constructor(outer: readonly Policy[], retries: Retries, breakers: BreakerSource | undefined, attemptTimeout: Policy | undefined) {
    this.#outer = outer;
    this.#retries = retries;
    this.breakers = breakers;
    this.#attemptTimeout = attemptTimeout;
  }

  policyFor(request: HttpRequestInfo): Policy | undefined {
    const stages = [...this.#outer];
    // A stream body is sent once; a POST without Idempotency-Key again only if it never left.
    const retrying = !request.replayable ? undefined : request.idempotent ? this.#retries.idempotent : this.#retries.unsent;
    if (retrying !== undefined) stages.push(retrying);
    if (this.breakers !== undefined) stages.push(this.breakers.get(request.origin));
    if (this.#attemptTimeout !== undefined) stages.push(this.#attemptTimeout);
    return stages.length === 0 ? undefined : pipeline(...stages);
  }
}

/**
 * The standard resilience pipeline for HTTP calls, outermost first, with the defaults of the
 * best-known one: a concurrency limit (1000 at once, no queue), a total timeout (30 s), a retry
 * (3 retries, exponential backoff with full jitter from 2 s), one circuit breaker per origin (opens
 * at 10 % failures over 30 s with at least 100 calls, for 5 s) and an attempt timeout (10 s).
 * Pass it as a client's `policy`.
 *
 * Without that pipeline's known holes:
 * - a `Retry-After` longer than the time left in the total timeout ends the call at once with the
 *   `HttpError` (429 or 503, with `retryAfterMs`) instead of sleeping into the timeout and losing it;
 * - no retry goes out before `Retry-After` has passed (the wait counts from the response's arrival,
 *   an HTTP-date from the response's own `Date`, and the client checks again before sending);
 * - a POST or PATCH without `Idempotency-Key` is not retried once it may have reached the server;
 * - one breaker per origin, shared by every client of this pipeline, not one per client;
 * - hedging as an option, each hedged attempt a fresh request.
 *
 * Checked at start-up, each a `TypeError` naming the options: the attempt timeout is at most the
 * total timeout; the breaker's window is at least twice the attempt timeout; the retry's longest
 * waits added up fit in the total timeout.
 *
 * @example
 * ```ts
 * import { httpClient } from '@bulwark/http';
 * const api = httpClient({ baseUrl: 'https://api.example.com', policy: standard() });
 * ```
 */
export function standard(options: StandardOptions = {}): StandardPolicy {
  expectOptions('options', options, STANDARD_OPTIONS);
  if (options.hedge !== undefined) expectOptions('hedge', options.hedge, HEDGE_OPTIONS);
  expectClock('clock', options.clock);
  if (options.random !== undefined) expectFunction('random', options.random);
  const { clock } = options;
  const totalMs = timeoutMs('totalTimeoutMs', options.totalTimeoutMs, 30_000);
  const attemptMs = timeoutMs('attemptTimeoutMs', options.attemptTimeoutMs, 10_000);
  if (totalMs !== undefined && attemptMs !== undefined && attemptMs > totalMs) {
    throw invalidOption('attemptTimeoutMs', attemptMs, `at most \`totalTimeoutMs\` (${totalMs}): one attempt cannot outlast the whole request`);
  }
  const timeoutOptions = clock === undefined ? {} : { clock };
  const outer: Policy[] = [];
  const limit = makeBulkhead(options.bulkhead);
  if (limit !== undefined) outer.push(limit);
  if (totalMs !== undefined) outer.push(timeout(totalMs, timeoutOptions));
  const retries = makeRetries(options, totalMs, clock);
  const breakers = makeBreakers(options.breaker, attemptMs, clock);
  const attemptTimeout = attemptMs === undefined ? undefined : timeout(attemptMs, timeoutOptions);
  return new Standard(outer, retries, breakers, attemptTimeout);
}
