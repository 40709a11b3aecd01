import type { ResultAsync } from 'neverthrow';
import type { BulwarkError } from './bulwark-error.js';
import { CallContext } from './call-context.js';
import { systemClock, type Clock, type Timer } from './clock.js';
import { EventEmitter, type Event } from './event.js';
import type { EventPayload } from './event-payloads.js';
import { isPromiseLike } from './internal/is-promise-like.js';
import type { AbortSource, Policy, PolicyFunction } from './policy.js';
import { TimeoutError } from './timeout-error.js';
import { toResult } from './to-result.js';
import { expectClock, expectName, expectNumber, expectOneOf, expectOptions, invalidOption, knownOptions } from './validate.js';

/**
 * How a timeout ends a call.
 * - `aggressive`: reject with {@link TimeoutError} the moment the limit passes, and abort the
 *   function's signal; whatever the function does afterwards is ignored.
 * - `cooperative`: only abort the function's signal, then wait for the function to settle. If it
 *   rejects, the call rejects with {@link TimeoutError} (the function's error as `cause`); if it
 *   resolves anyway, its value is returned. Use it when the function must finish its own clean-up.
 */
export type TimeoutStrategy = 'aggressive' | 'cooperative';

/** Options for {@link timeout}. */
export interface TimeoutOptions {
  /** How the call is ended when time is up. @default 'aggressive' */
  readonly strategy?: TimeoutStrategy;
  /** Time source; inject a fake clock in tests. @default systemClock */
  readonly clock?: Clock;
  /** A name for logs and metrics. @default 'timeout' */
  readonly name?: string;
}

/** Emitted by {@link TimeoutPolicy.onTimeout} when a call runs out of time. */
export interface TimeoutEvent extends EventPayload {
  /** The policy's limit, in milliseconds. */
  readonly timeoutMs: number;
}

/** A {@link Policy} that limits how long a call may take. Create one with {@link timeout}. */
export interface TimeoutPolicy extends Policy {
  /** The name given in the options, for logs and metrics. */
  readonly name: string;
  /** The limit, in milliseconds. */
  readonly timeoutMs: number;
  /** The strategy in force. */
  readonly strategy: TimeoutStrategy;
  /** Fires each time a call runs out of time. */
  readonly onTimeout: Event<TimeoutEvent>;
}

class TimeoutCall extends CallContext {
  deadline = 0;
  prev: TimeoutCall | undefined = undefined;
  next: TimeoutCall | undefined = undefined;
  queued = false;
  timedOut = false;
  settled = false;
  resolve: ((value: unknown) => void) | undefined = undefined;
  reject: ((reason: unknown) => void) | undefined = undefined;
  readonly #policy: Timeout;

  constructor(policy: Timeout, parent: AbortSource | undefined) {
    super(parent);
    this.#policy = policy;
  }

  fulfil(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#policy.dequeue(this);
    this.release();
    this.resolve!(value);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#policy.dequeue(this);
    this.release();
    this.reject!(error);
  }

  protected override onAbort(reason: unknown): void {
    this.#policy.dequeue(this);
    if (this.reject !== undefined) this.fail(reason);
  }
}

class Timeout implements TimeoutPolicy {
  readonly name: string;
  readonly timeoutMs: number;
  readonly strategy: TimeoutStrategy;
  readonly #clock: Clock;
  readonly #onTimeout = new EventEmitter<TimeoutEvent>();
  readonly onTimeout = this.#onTimeout.event;
  // Calls in deadline order. With one fixed limit per policy, arrival order is deadline order, so a
  // linked list gives O(1) insert and removal and one timer serves every call in flight.
  #head: TimeoutCall | undefined = undefined;
  #tail: TimeoutCall | undefined = undefined;
  #timer: Timer | undefined = undefined;

  constructor(name: string, timeoutMs: number, strategy: TimeoutStrategy, clock: Clock) {
    this.name = name;
    this.timeoutMs = timeoutMs;
    this.strategy = strategy;
    this.#clock = clock;
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(invalidOption('fn', fn, 'a function'));
    let call: TimeoutCall;
    try {
      call = new TimeoutCall(this, signal);
    } catch (error) {
      return Promise.reject(error); // a `signal` that is not one
    }
    if (call.aborted) return Promise.reject(call.reason);
    this.#enqueue(call);
    let pending: PromiseLike<T> | T;
    try {
      pending = fn(call);
    } catch (error) {
      this.dequeue(call);
      call.release();
      return Promise.reject(error);
    }
    if (!isPromiseLike(pending)) {
      this.dequeue(call);
      call.release();
      return Promise.resolve(pending);
    }
    return this.strategy === 'aggressive' ? this.#race(call, pending) : this.#cooperate(call, pending);
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }

  #race<T>(call: TimeoutCall, pending: PromiseLike<T>): Promise<T> {
    const result = new Promise<T>((resolve, reject) => {
      call.resolve = resolve as (value: unknown) => void;
      call.reject = reject;
    });
    // Always subscribe, so a rejection after the call has timed out is handled, never unhandled.
    pending.then(
      (value) => call.fulfil(value),
      (error: unknown) => call.fail(error),
    );
    if (call.aborted) call.fail(call.reason);
    else call.listen();
    return result;
  }

  async #cooperate<T>(call: TimeoutCall, pending: PromiseLike<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      if (!call.timedOut) throw error;
      throw error instanceof TimeoutError ? error : new TimeoutError(this.timeoutMs, { cause: error });
    } finally {
      this.dequeue(call);
      call.release();
    }
  }

  #enqueue(call: TimeoutCall): void {
    call.deadline = this.#clock.monotonic() + this.timeoutMs;
    call.queued = true;
    const tail = this.#tail;
    call.prev = tail;
    if (tail === undefined) this.#head = call;
    else tail.next = call;
    this.#tail = call;
    if (this.#timer === undefined) this.#arm(this.timeoutMs);
  }

  /** Removes a call from the deadline list; the timer stays armed and re-aims when it fires. */
  dequeue(call: TimeoutCall): void {
    if (!call.queued) return;
    call.queued = false;
    const { prev, next } = call;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    call.prev = call.next = undefined;
  }

  #arm(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(this.#expire, Math.max(0, delayMs), { unref: true });
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    const now = this.#clock.monotonic();
    // Timers may fire a fraction of a millisecond early against the monotonic clock.
    for (let call = this.#head; call !== undefined && call.deadline <= now + 0.5; call = this.#head) {
      this.dequeue(call);
      call.timedOut = true;
      if (this.#onTimeout.hasListeners) this.#onTimeout.emit({ name: this.name, timeoutMs: this.timeoutMs });
      call.abort(new TimeoutError(this.timeoutMs));
    }
    if (this.#head !== undefined) this.#arm(this.#head.deadline - now);
  };
}

const TIMEOUT_OPTIONS = knownOptions<TimeoutOptions>('timeout()', {
  strategy: [],
  clock: [],
  name: [],
});

/**
 * Creates a policy that limits each call to `timeoutMs` milliseconds; a late call rejects with
 * {@link TimeoutError} and its `signal` is aborted with that error as the reason.
 *
 * All calls of one policy share a single timer, and the function's `AbortSignal` is created only if
 * it reads `signal`; the timer never holds the process open.
 *
 * @param timeoutMs - The limit, in milliseconds: a positive, finite number.
 * @example
 * ```ts
 * declare const url: string;
 * const withinTwoSeconds = timeout(2_000);
 * const res = await withinTwoSeconds.execute(({ signal }) => fetch(url, { signal }));
 * ```
 */
export function timeout(timeoutMs: number, options: TimeoutOptions = {}): TimeoutPolicy {
  expectNumber('timeoutMs', timeoutMs, { above: 0 });
  expectOptions('options', options, TIMEOUT_OPTIONS);
  const strategy = options.strategy ?? 'aggressive';
  expectOneOf('strategy', strategy, ['aggressive', 'cooperative'] as const);
  expectClock('clock', options.clock);
  const name = options.name ?? 'timeout';
  expectName(name);
  return new Timeout(name, timeoutMs, strategy, options.clock ?? systemClock);
}
