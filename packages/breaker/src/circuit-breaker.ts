import {
  CallContext,
  EventEmitter,
  expectClock,
  expectFunction,
  expectInteger,
  expectName,
  invalidOption,
  invalidStore,
  knownOptions,
  StoreUnavailableError,
  systemClock,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Clock,
  type Disposable,
  type Event,
  type EventPayload,
  type Policy,
  type PolicyFunction,
  type RejectedEvent,
  type StoreErrorEvent,
} from '@bulwark/core';
import type { IBackoff, IBackoffFactory } from 'cockatiel';
import type { ResultAsync } from 'neverthrow';
import type { BreakerSpec } from './breaker-spec.js';
import { CircuitOpenError } from './circuit-open-error.js';
import type { CircuitSnapshot } from './circuit-snapshot.js';
import type { CircuitState } from './circuit-state.js';
import type { BreakerState, Closed, HalfOpen, Isolated, Open } from './internal/breaker-state.js';
import { createCounter, type Counter, type TripReason } from './internal/counters.js';
import { expectBreakerOptions } from './internal/foreign-options.js';
import { isCircuitFailure } from './is-circuit-failure.js';
import type { CircuitStore, SharedCircuit } from './circuit-store.js';

/** What a `halfOpenAfterMs` backoff is told each time the circuit opens. */
export interface HalfOpenBackoffContext {
  /** How many times in a row the circuit has opened without closing, from 1. */
  readonly attempt: number;
  /** The failure that opened it, when there is one. */
  readonly error: unknown;
}

/** Options for {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Names the breaker in events and errors, and keys its state in a `store`. @default 'circuitBreaker' */
  readonly name?: string;
  /**
   * What opens the circuit: `{ kind: 'consecutive' }`, `{ kind: 'count' }`, `{ kind: 'time' }`
   * (see {@link BreakerSpec}) or a cockatiel `IBreaker` instance.
   * @default { kind: 'consecutive', threshold: 5 }
   */
  readonly breaker?: BreakerSpec;
  /**
   * How long, in milliseconds, the circuit stays open before letting probes through; or a
   * cockatiel backoff (`new ExponentialBackoff({ initialDelay: 1_000, maxDelay: 60_000 })`) whose
   * next duration is taken each time the circuit reopens after a failed probe.
   * @default 30_000
   */
  readonly halfOpenAfterMs?: number | IBackoffFactory<HalfOpenBackoffContext>;
  /**
   * Probe calls let through in one half-open episode (and so at most at once). The circuit closes
   * when all of them succeed and reopens at the first that fails; other calls fail fast.
   * @default 1
   */
  readonly halfOpenMaxCalls?: number;
  /**
   * Which errors count against the circuit. Errors it rejects count neither way. A call that fails
   * because the caller aborted it never counts, whatever this says.
   * @default isCircuitFailure (all but HTTP 4xx other than 408 and 429)
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * Shares the circuit with other processes through a store, such as {@link redisCircuitStore}; needs
   * a `name` of its own (it keys the shared state). @default undefined: the circuit is this process's alone
   */
  readonly store?: CircuitStore;
  /** Time source; inject a fake clock in tests. @default systemClock */
  readonly clock?: Clock;
}

/** Why a circuit opened, in {@link BreakEvent}. */
export type BreakReason = TripReason | 'half-open-failure' | 'shared' | 'isolated' | 'restored';

/** Emitted by {@link CircuitBreakerPolicy.onBreak} when the circuit opens or is isolated. */
export interface BreakEvent extends EventPayload {
  /**
   * `consecutive-failures`, `failure-rate`, `slow-call-rate` or `breaker` (a cockatiel breaker
   * decided): the window tripped; `half-open-failure`: a probe failed; `shared`: other instances
   * opened it; `isolated`: held open by hand; `restored`: from a snapshot.
   */
  readonly reason: BreakReason;
  /** The failure that opened it, when there is one. */
  readonly error: unknown;
  /** How long the circuit stays open, in milliseconds; `undefined` when isolated. */
  readonly retryAfterMs: number | undefined;
  /** Calls, failures and slow calls in the window when it tripped. */
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
}

/** Emitted by {@link CircuitBreakerPolicy.onStateChange}. */
export interface StateChangeEvent extends EventPayload {
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/** Emitted by {@link CircuitBreakerPolicy.onRejected} for each call refused with {@link CircuitOpenError}. */
export interface CircuitRejectedEvent extends RejectedEvent {
  /** The state that refused the call. */
  readonly reason: Exclude<CircuitState, 'closed'>;
  /** As {@link CircuitOpenError.retryAfterMs}: the rest of the break, 0 when half-open, `undefined` when isolated. */
  readonly retryAfterMs: number | undefined;
}

/** Emitted by {@link CircuitBreakerPolicy.onReset} and {@link CircuitBreakerPolicy.onHalfOpen}. */
export type CircuitEvent = EventPayload;

/** Emitted by {@link CircuitBreakerPolicy.onStoreError} when the store failed or was too slow; the breaker went on with its local state. */
export interface CircuitStoreErrorEvent extends StoreErrorEvent {
  /** What was tried: `sync`, `vote`, `acquire` or `release`. */
  readonly operation: 'sync' | 'vote' | 'acquire' | 'release';
  /** Why: core's `StoreUnavailableError` (its `cause` holds the store's own error, if any). */
  readonly error: StoreUnavailableError;
}

/** A circuit breaker {@link Policy}. Create one with {@link circuitBreaker}. */
export interface CircuitBreakerPolicy extends Policy {
  /** The name given in the options, or `'circuitBreaker'`. */
  readonly name: string;
  /** The state now. Open turns half-open lazily, when the first call after the break arrives. */
  readonly state: CircuitState;
  /**
   * Holds the circuit open by hand (for maintenance, or when you know the dependency is down):
   * every call fails with a non-transient {@link CircuitOpenError} until every handle returned is
   * disposed, when the circuit closes. Local to this process, even with a shared store.
   */
  isolate(): Disposable;
  /** The state as JSON-safe data, to save before a restart; see {@link CircuitBreakerPolicy.restore}. */
  toJSON(): CircuitSnapshot;
  /**
   * Restores what {@link CircuitBreakerPolicy.toJSON} saved (possibly in another process): an open
   * circuit stays open until the saved wall-clock time. Returns the isolation handle when the
   * snapshot was isolated. Throws a `TypeError` naming the field on a malformed snapshot.
   */
  restore(snapshot: CircuitSnapshot): Disposable | undefined;
  readonly onBreak: Event<BreakEvent>;
  readonly onReset: Event<CircuitEvent>;
  readonly onHalfOpen: Event<CircuitEvent>;
  readonly onStateChange: Event<StateChangeEvent>;
  /** Fires for each call refused without running (open, half-open with no probe slot, isolated). */
  readonly onRejected: Event<CircuitRejectedEvent>;
  /** Fires when the store failed or did not answer in time; the breaker decided on its local state. */
  readonly onStoreError: Event<CircuitStoreErrorEvent>;
}

type ProbeOutcome = 'success' | 'failure' | 'void';

class CircuitBreaker implements CircuitBreakerPolicy {
  readonly name: string;
  readonly #counter: Counter;
  readonly #clock: Clock;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #halfOpenAfter: number | IBackoffFactory<HalfOpenBackoffContext>;
  readonly #halfOpenMaxCalls: number;
  readonly #shared: SharedCircuit | undefined;

  readonly #onBreak = new EventEmitter<BreakEvent>();
  readonly #onReset = new EventEmitter<CircuitEvent>();
  readonly #onHalfOpen = new EventEmitter<CircuitEvent>();
  readonly #onStateChange = new EventEmitter<StateChangeEvent>();
  readonly #onRejected = new EventEmitter<CircuitRejectedEvent>();
  readonly #onStoreError = new EventEmitter<CircuitStoreErrorEvent>();
  readonly onBreak = this.#onBreak.event;
  readonly onReset = this.#onReset.event;
  readonly onHalfOpen = this.#onHalfOpen.event;
  readonly onStateChange = this.#onStateChange.event;
  readonly onRejected = this.#onRejected.event;
  readonly onStoreError = this.#onStoreError.event;

  /** The state now; replaced (never mutated into another kind) on every transition. */
  #state: BreakerState = { kind: 'closed' };
  /** The last failure that counted, whatever the state since: the `cause` of a refusal. */
  #lastError: unknown = undefined;
  /** Probes running, of this episode or of earlier ones that ended before they settled. */
  #probing = 0;
  // What this instance knows of the shared store, whatever its own state.
  #acquiring = false;
  #leaseBusyUntil = 0;
  #syncing = false;
  #nextSyncAt = 0;

  constructor(
    name: string,
    counter: Counter,
    clock: Clock,
    isFailure: (error: unknown) => boolean,
    halfOpenAfter: number | IBackoffFactory<HalfOpenBackoffContext>,
    halfOpenMaxCalls: number,
    shared: SharedCircuit | undefined,
  ) {
    this.name = name;
    this.#counter = counter;
    this.#clock = clock;
    this.#isFailure = isFailure;
    this.#halfOpenAfter = halfOpenAfter;
    this.#halfOpenMaxCalls = halfOpenMaxCalls;
    this.#shared = shared;
  }

  get state(): CircuitState {
    return this.#state.kind;
  }

  execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(invalidOption('fn', fn, 'a function'));
    let ctx: CallContext;
    try {
      ctx = new CallContext(signal);
    } catch (error) {
      return Promise.reject(error); // a `signal` that is not one
    }
    // The hot path: closed, no shared store. One CallContext, one async frame, no timers.
    if (this.#state.kind === 'closed' && this.#shared === undefined) return this.#closed(fn, ctx);
    return this.#dispatch(fn, ctx);
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }

  async #closed<T>(fn: PolicyFunction<T>, ctx: CallContext): Promise<T> {
    if (ctx.aborted) throw ctx.reason;
    const state = this.#state;
    const start = this.#counter.timed ? this.#clock.monotonic() : 0;
    let value: T;
    try {
      value = await fn(ctx);
    } catch (error) {
      ctx.release();
      if (state === this.#state) this.#closedFailure(error, ctx, start);
      throw error;
    }
    ctx.release();
    if (state === this.#state) this.#closedSuccess(start);
    return value;
  }

  #closedSuccess(start: number): void {
    const counter = this.#counter;
    const slow = counter.timed && this.#clock.monotonic() - start >= counter.slowCallDurationMs;
    const reason = counter.record(false, slow);
    if (reason !== undefined) this.#open(reason, undefined, undefined);
  }

  #closedFailure(error: unknown, ctx: CallContext, start: number): void {
    if (!this.#counts(error, ctx)) return;
    this.#lastError = error;
    const counter = this.#counter;
    const reason = counter.record(true, counter.timed && this.#clock.monotonic() - start >= counter.slowCallDurationMs);
    if (reason !== undefined) this.#open(reason, error, undefined);
  }

  /** Whether a failed call counts against the circuit. */
  #counts(error: unknown, ctx: CallContext): boolean {
    if (ctx.aborted) return false; // the caller gave up; that says nothing about the dependency
    try {
      return this.#isFailure(error) !== false;
    } catch {
      return true;
    }
  }

  async #dispatch<T>(fn: PolicyFunction<T>, ctx: CallContext): Promise<T> {
    if (ctx.aborted) throw ctx.reason;
    if (this.#shared !== undefined) this.#maybeSync();
    const state = this.#state;
    switch (state.kind) {
      case 'closed':
        return this.#closed(fn, ctx);
      case 'isolated':
        throw this.#reject('isolated', undefined);
      case 'open': {
        const left = state.openUntil - this.#clock.monotonic();
        if (left > 0) throw this.#reject('open', left);
        return this.#probe(fn, ctx, this.#enterHalfOpen(state));
      }
      default:
        return this.#probe(fn, ctx, state);
    }
  }

  /** Whether another probe may start: per episode, and at once across episodes. */
  #probeSlotFree(state: HalfOpen): boolean {
    return state.admitted < this.#halfOpenMaxCalls && this.#probing < this.#halfOpenMaxCalls;
  }

  async #probe<T>(fn: PolicyFunction<T>, ctx: CallContext, state: HalfOpen): Promise<T> {
    if (!this.#probeSlotFree(state)) throw this.#reject('half-open', 0);
    const shared = this.#shared;
    if (shared !== undefined && !state.leaseHeld) {
      // One half-open episode at a time across instances: whoever holds the lease probes.
      if (this.#acquiring || this.#clock.monotonic() < this.#leaseBusyUntil) throw this.#reject('half-open', 0);
      this.#acquiring = true;
      const answer = await this.#storeCall('acquire', () => shared.acquire());
      this.#acquiring = false;
      if (state !== this.#state || ctx.aborted) {
        // Isolated, restored or cancelled meanwhile: give the lease back, start over or stop.
        if (answer?.kind === 'probe') this.#release('abandon', 0);
        return this.#dispatch(fn, ctx);
      }
      if (answer?.kind === 'open') {
        state.shared = true;
        this.#open('shared', this.#lastError, answer.remainingMs);
        throw this.#reject('open', answer.remainingMs);
      }
      if (answer?.kind === 'busy') {
        this.#leaseBusyUntil = this.#clock.monotonic() + Math.min(answer.remainingMs, shared.syncIntervalMs);
        throw this.#reject('half-open', 0);
      }
      // A lease, or no answer from the store: then local state decides and this instance probes.
      state.leaseHeld = answer !== undefined;
      if (answer?.shared === true) state.shared = true;
      if (!this.#probeSlotFree(state)) throw this.#reject('half-open', 0);
    }
    state.admitted++;
    this.#probing++;
    const timed = this.#counter.timed;
    const start = timed ? this.#clock.monotonic() : 0;
    let value: T;
    try {
      value = await fn(ctx);
    } catch (error) {
      ctx.release();
      this.#probing--;
      if (state === this.#state) this.#probeDone(state, this.#counts(error, ctx) ? 'failure' : 'void', error);
      throw error;
    }
    ctx.release();
    this.#probing--;
    if (state === this.#state) {
      const slow = timed && this.#clock.monotonic() - start >= this.#counter.slowCallDurationMs;
      this.#probeDone(state, slow ? 'failure' : 'success', undefined);
    }
    return value;
  }

  #probeDone(state: HalfOpen, outcome: ProbeOutcome, error: unknown): void {
    if (outcome === 'void') {
      // Aborted by the caller or not a failure: no verdict, the slot goes to the next probe.
      state.admitted--;
      if (state.leaseHeld && state.admitted === 0) {
        state.leaseHeld = false;
        this.#release('abandon', 0);
      }
      return;
    }
    if (outcome === 'failure') {
      if (error !== undefined) this.#lastError = error;
      this.#counter.reopenedAfterProbe();
      const duration = this.#open('half-open-failure', error, undefined);
      if (this.#shared !== undefined && state.leaseHeld) {
        state.leaseHeld = false;
        this.#release(state.shared ? 'reopen' : 'abandon', duration);
      }
      return;
    }
    if (++state.successes < this.#halfOpenMaxCalls) return;
    this.#counter.closedAfterProbe();
    if (state.leaseHeld) {
      state.leaseHeld = false;
      this.#release('closed', 0);
    }
    this.#close();
  }

  #reject(state: Exclude<CircuitState, 'closed'>, retryAfterMs: number | undefined): CircuitOpenError {
    const after = retryAfterMs === undefined ? undefined : Math.max(0, Math.ceil(retryAfterMs));
    if (this.#onRejected.hasListeners) this.#onRejected.emit({ name: this.name, reason: state, retryAfterMs: after });
    return new CircuitOpenError(state, after, this.name, this.#lastError);
  }

  #transition<S extends BreakerState>(to: S): S {
    const from = this.#state.kind;
    this.#state = to;
    if (this.#onStateChange.hasListeners) this.#onStateChange.emit({ name: this.name, from, to: to.kind });
    return to;
  }

  /** Opens the circuit; returns the length of the break. `sharedMs` is the rest of a shared break. */
  #open(reason: BreakReason, error: unknown, sharedMs: number | undefined): number {
    const now = this.#clock.monotonic();
    const stats = this.#onBreak.hasListeners ? this.#counter.stats() : undefined;
    const previous = this.#state;
    const probing = previous.kind === 'half-open' ? previous : undefined;
    const attempt = probing !== undefined ? probing.attempt + 1 : 1;
    const { duration, backoff } = sharedMs === undefined ? this.#breakDuration(attempt, error, probing?.backoff) : { duration: sharedMs, backoff: probing?.backoff };
    // A failed probe on a break the quorum decided keeps it shared; any other local trip is a vote.
    const keepShared = reason === 'shared' || (reason === 'half-open-failure' && probing?.shared === true);
    this.#counter.reset();
    this.#transition<Open>({ kind: 'open', openUntil: now + duration, attempt, backoff, shared: keepShared });
    if (stats !== undefined) {
      this.#onBreak.emit({ name: this.name, reason, error, retryAfterMs: duration, ...stats });
    }
    const shared = this.#shared;
    if (shared !== undefined && !keepShared && reason !== 'restored') {
      void this.#storeCall('vote', () => shared.vote(duration)).then((vote) => {
        const state = this.#state;
        if (vote !== undefined && vote.openForMs > 0 && state.kind === 'open') state.shared = true;
      });
    }
    return duration;
  }

  /** The length of the `attempt`-th break in a row, and the backoff's state after choosing it. */
  #breakDuration(
    attempt: number,
    error: unknown,
    backoff: IBackoff<HalfOpenBackoffContext> | undefined,
  ): { duration: number; backoff: IBackoff<HalfOpenBackoffContext> | undefined } {
    const after = this.#halfOpenAfter;
    if (typeof after === 'number') return { duration: after, backoff };
    const context: HalfOpenBackoffContext = { attempt, error };
    const next = attempt === 1 || backoff === undefined ? after.next(context) : backoff.next(context);
    const duration = next.duration;
    return { duration: Number.isFinite(duration) && duration >= 0 ? duration : 0, backoff: next };
  }

  #enterHalfOpen(open: Open): HalfOpen {
    const state = this.#transition<HalfOpen>({
      kind: 'half-open',
      attempt: open.attempt,
      backoff: open.backoff,
      shared: open.shared,
      admitted: 0,
      successes: 0,
      leaseHeld: false,
    });
    if (this.#onHalfOpen.hasListeners) this.#onHalfOpen.emit({ name: this.name });
    return state;
  }

  #close(): void {
    this.#counter.reset();
    this.#transition<Closed>({ kind: 'closed' });
    if (this.#onReset.hasListeners) this.#onReset.emit({ name: this.name });
  }

  isolate(): Disposable {
    let state = this.#state;
    if (state.kind !== 'isolated') {
      if (state.kind === 'half-open' && state.leaseHeld) {
        state.leaseHeld = false;
        this.#release('abandon', 0);
      }
      const stats = this.#counter.stats();
      state = this.#transition<Isolated>({ kind: 'isolated', handles: 0 });
      if (this.#onBreak.hasListeners) {
        this.#onBreak.emit({ name: this.name, reason: 'isolated', error: undefined, retryAfterMs: undefined, ...stats });
      }
    }
    const isolated = state;
    isolated.handles++;
    let active = true;
    const dispose = (): void => {
      if (!active) return;
      active = false;
      if (--isolated.handles === 0 && this.#state === isolated) this.#close();
    };
    return { dispose, [Symbol.dispose]: dispose };
  }

  toJSON(): CircuitSnapshot {
    const now = this.#clock.monotonic();
    const wall = this.#clock.now();
    const base = { version: 1 as const, name: this.name };
    const state = this.#state;
    switch (state.kind) {
      case 'closed':
        return { ...base, state: 'closed', window: this.#counter.save() };
      case 'open':
        return { ...base, state: 'open', openUntil: wall + Math.max(0, state.openUntil - now), attempt: state.attempt };
      case 'half-open':
        // A probe in flight is lost in a restart: the restored circuit probes again at once.
        return { ...base, state: 'open', openUntil: wall, attempt: state.attempt };
      default:
        return { ...base, state: 'isolated' };
    }
  }

  restore(snapshot: CircuitSnapshot): Disposable | undefined {
    checkSnapshot(snapshot);
    const current = this.#state;
    if (current.kind === 'isolated') {
      throw new Error(`Cannot restore ${JSON.stringify(this.name)} while it is isolated; dispose its isolation handles first.`);
    }
    if (snapshot.state === 'isolated') return this.isolate();
    const now = this.#clock.monotonic();
    if (snapshot.state === 'closed') {
      if (snapshot.window !== undefined) this.#counter.load(snapshot.window);
      if (current.kind !== 'closed') this.#close();
      return undefined;
    }
    const remaining = Math.max(0, snapshot.openUntil! - this.#clock.now());
    const attempt = snapshot.attempt ?? 1;
    const after = this.#halfOpenAfter;
    const backoff = typeof after === 'number' ? undefined : after.next({ attempt, error: undefined });
    this.#counter.reset();
    this.#transition<Open>({ kind: 'open', openUntil: now + remaining, attempt, backoff, shared: current.kind !== 'closed' && current.shared });
    if (this.#onBreak.hasListeners) {
      this.#onBreak.emit({ name: this.name, reason: 'restored', error: undefined, retryAfterMs: remaining, calls: 0, failures: 0, slowCalls: 0 });
    }
    return undefined;
  }

  // ---- shared state ----

  #maybeSync(): void {
    const state = this.#state;
    if (state.kind !== 'closed' || this.#syncing) return;
    const now = this.#clock.monotonic();
    if (now < this.#nextSyncAt) return;
    const shared = this.#shared!;
    this.#nextSyncAt = now + shared.syncIntervalMs;
    this.#syncing = true;
    void this.#storeCall('sync', () => shared.read()).then((remainingMs) => {
      this.#syncing = false;
      if (remainingMs !== undefined && remainingMs > 0 && state === this.#state) this.#open('shared', undefined, remainingMs);
    });
  }

  #release(outcome: 'closed' | 'reopen' | 'abandon', breakMs: number): void {
    const shared = this.#shared;
    if (shared !== undefined) void this.#storeCall('release', () => shared.release(outcome, breakMs));
  }

  /** Runs one store operation; a failure is reported and becomes `undefined`, never a rejection. */
  async #storeCall<R>(operation: CircuitStoreErrorEvent['operation'], run: () => Promise<R>): Promise<R | undefined> {
    try {
      return await run();
    } catch (error) {
      if (this.#onStoreError.hasListeners) {
        this.#onStoreError.emit({ name: this.name, operation, error: StoreUnavailableError.from('CircuitStore', operation, error) });
      }
      return undefined;
    }
  }
}

function checkSnapshot(snapshot: CircuitSnapshot): void {
  if (typeof snapshot !== 'object' || snapshot === null) throw invalidOption('snapshot', snapshot, 'a snapshot object from toJSON()');
  if (snapshot.version !== 1) throw invalidOption('snapshot.version', snapshot.version, '1');
  if (!['closed', 'open', 'isolated'].includes(snapshot.state)) {
    throw invalidOption('snapshot.state', snapshot.state, 'one of "closed", "open", "isolated"');
  }
  if (snapshot.state === 'open' && (typeof snapshot.openUntil !== 'number' || !Number.isFinite(snapshot.openUntil))) {
    throw invalidOption('snapshot.openUntil', snapshot.openUntil, 'a wall-clock time in milliseconds');
  }
  if (snapshot.attempt !== undefined) expectInteger('snapshot.attempt', snapshot.attempt, { min: 1 });
}

/** Validates `halfOpenAfterMs`; returns it with its default applied. */
function checkHalfOpenAfter(value: unknown): number | IBackoffFactory<HalfOpenBackoffContext> {
  if (value === undefined) return 30_000;
  if (typeof value === 'number') {
    if (!(value >= 0) || !Number.isFinite(value)) throw invalidOption('halfOpenAfterMs', value, 'a non-negative number of milliseconds or a cockatiel backoff');
    return value;
  }
  if (typeof value !== 'object' || value === null || typeof (value as IBackoffFactory<unknown>).next !== 'function') {
    throw invalidOption('halfOpenAfterMs', value, 'a non-negative number of milliseconds or a cockatiel backoff');
  }
  return value as IBackoffFactory<HalfOpenBackoffContext>;
}

/** @internal The options of {@link circuitBreaker}, for the unknown-key check (the registry's too). */
export const CIRCUIT_BREAKER_OPTIONS = knownOptions<CircuitBreakerOptions>('circuitBreaker()', {
  name: [],
  breaker: [],
  halfOpenAfterMs: ['resetTimeout', 'halfOpenAfter', 'cooldownMs', 'openDurationMs', 'waitDurationInOpenState', 'sleepWindowInMilliseconds', 'breakDuration'],
  halfOpenMaxCalls: ['permittedNumberOfCallsInHalfOpenState'],
  isFailure: ['shouldHandle', 'errorFilter'],
  store: ['shared'],
  clock: [],
});

/**
 * Creates a circuit breaker: after enough failures (by the chosen breaker) it stops calling the
 * dependency for a while, failing fast with {@link CircuitOpenError}, then lets a few probe calls
 * through to see whether it has recovered.
 *
 * The closed-state success path allocates nothing beyond the call's context and sets no timer;
 * open turns half-open lazily, on the first call after the break.
 *
 * Gotchas: a call that never settles holds its half-open slot forever — put a `timeout` inside the
 * breaker (`pipeline(circuitBreaker(...), timeout(2_000))`), so a hang counts as a failure. An
 * error the caller's own abort caused never counts.
 *
 * @example
 * ```ts
 * declare const log: { warn(fields: object, message: string): void };
 * declare function charge(order: { id: string }, options: { signal: AbortSignal }): Promise<{ receipt: string }>;
 * declare const order: { id: string };
 * const breaker = circuitBreaker({
 *   name: 'payments',
 *   breaker: { kind: 'count', size: 50, minimumCalls: 20, failureRateThreshold: 0.5 },
 *   halfOpenAfterMs: 10_000,
 * });
 * breaker.onBreak(({ name, reason }) => log.warn({ name, reason }, 'circuit open'));
 * const receipt = await breaker.execute(({ signal }) => charge(order, { signal }));
 * ```
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreakerPolicy {
  expectBreakerOptions('options', options, CIRCUIT_BREAKER_OPTIONS);
  const { clock, store } = options;
  const name = options.name ?? 'circuitBreaker';
  expectName(name);
  expectClock('clock', clock);
  const time = clock ?? systemClock;
  const counter = createCounter(options.breaker ?? { kind: 'consecutive', threshold: 5 }, () => time.now());
  const halfOpenAfter = checkHalfOpenAfter(options.halfOpenAfterMs);
  const halfOpenMaxCalls = options.halfOpenMaxCalls ?? 1;
  expectInteger('halfOpenMaxCalls', halfOpenMaxCalls, { min: 1 });
  const isFailure = options.isFailure ?? isCircuitFailure;
  expectFunction('isFailure', isFailure);
  if (store !== undefined) {
    if (typeof store !== 'object' || store === null || typeof store.bind !== 'function') {
      throw invalidStore('store', store, 'a CircuitStore (such as redisCircuitStore(...))', 'redisCircuitStore');
    }
    if (options.name === undefined) throw invalidOption('name', options.name, 'set when `store` is (it keys the shared state)');
  }
  return new CircuitBreaker(name, counter, time, isFailure, halfOpenAfter, halfOpenMaxCalls, store?.bind(name));
}
