import { CallContext, type AbortSource, type Clock, type PolicyFunction, type Timer } from '@bulwark/core';
import type { RetryBudget } from '../retry-budget.js';
import type { FixedDelayQueue, QueueEntry } from './fixed-delay-queue.js';
import { RunState } from './run-state.js';

/** What a {@link HedgedRun} needs of its retry policy: the policy's settings, its limits and its events. */
export interface HedgingPolicy {
  readonly config: {
    readonly hedge: { readonly delayMs: number; readonly maxHedgedAttempts: number } | undefined;
    readonly maxAttempts: number;
    readonly maxElapsedMs: number;
    readonly budget: RetryBudget | undefined;
    readonly unref: boolean;
    readonly clock: Clock;
  };
  /** Whether `execute` read the clock when it started (a deadline is set). */
  readonly timed: boolean;
  /** Pending hedges of every call of the policy, on one timer. */
  readonly hedges: FixedDelayQueue | undefined;
  /** Throws (after emitting `onGiveUp`) when `error` must not be retried whatever the limits. */
  check(run: RunState, error: unknown): void;
  /** The wait before the next attempt; throws (after emitting `onGiveUp`) when a limit says stop. */
  nextDelay(run: RunState): number;
  /** Emits `onGiveUp` and returns what `execute` rejects with. */
  giveUp(run: RunState, reason: 'aborted', error: unknown, thrown: unknown): unknown;
  /** Emits `onSuccess`. */
  succeeded(attempts: number): void;
  /** Emits `onHedge`. */
  hedged(attempt: number, delayMs: number): void;
}

const hedgeLost = (): DOMException => new DOMException('Another attempt of the hedged call succeeded first.', 'AbortError');

/**
 * One hedged `execute`: attempts run side by side, the first success wins, the rest are aborted.
 * Failures are retried as usual once no attempt is left in flight.
 */
export class HedgedRun<T> extends CallContext implements QueueEntry {
  due = 0;
  queued = false;
  prev: QueueEntry | undefined = undefined;
  next: QueueEntry | undefined = undefined;
  readonly promise: Promise<T>;
  readonly #policy: HedgingPolicy;
  readonly #fn: PolicyFunction<T>;
  readonly #run: RunState;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #inFlight: CallContext[] = [];
  #hedges = 0;
  #timer: Timer | undefined = undefined;
  #settled = false;

  constructor(policy: HedgingPolicy, fn: PolicyFunction<T>, signal: AbortSource | undefined, start: number) {
    super(signal);
    this.#policy = policy;
    this.#fn = fn;
    this.#run = new RunState(start, signal);
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.listen();
    if (!this.aborted) this.#launch();
  }

  #launch(): void {
    const context = new CallContext(this, ++this.#run.attempts);
    this.#inFlight.push(context);
    let pending: PromiseLike<T> | T;
    try {
      pending = this.#fn(context);
    } catch (error) {
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      (value) => this.#won(context, value),
      (error: unknown) => this.#lost(context, error),
    );
    if (!this.#settled) this.#armHedge();
  }

  #armHedge(): void {
    const { config, timed } = this.#policy;
    const hedge = config.hedge!;
    if (this.#hedges >= hedge.maxHedgedAttempts || this.#run.attempts >= config.maxAttempts) return;
    if (timed && config.clock.monotonic() - this.#run.start + hedge.delayMs > config.maxElapsedMs) return;
    this.#policy.hedges!.add(this);
  }

  /** @internal The hedge delay has passed with no answer: start another attempt. */
  expire(): void {
    if (this.#settled) return;
    const { budget, hedge } = this.#policy.config;
    // A spent budget only stops the hedge: the attempt in flight may still succeed.
    if (budget !== undefined && !budget.tryRetry()) return;
    this.#hedges++;
    this.#policy.hedged(this.#run.attempts + 1, hedge!.delayMs);
    this.#launch();
  }

  readonly #afterBackoff = (): void => {
    this.#timer = undefined;
    if (!this.#settled) this.#launch();
  };

  #won(context: CallContext, value: T): void {
    this.#remove(context);
    if (this.#settled) return;
    this.#finish(undefined);
    this.#policy.succeeded(this.#run.attempts);
    this.#resolve(value);
  }

  #lost(context: CallContext, error: unknown): void {
    this.#remove(context);
    if (this.#settled) return;
    const run = this.#run;
    run.errors.push(error);
    try {
      this.#policy.check(run, error);
      if (this.#inFlight.length > 0) return; // another attempt may still succeed
      this.#policy.hedges!.remove(this);
      const { clock, unref } = this.#policy.config;
      this.#timer = clock.setTimeout(this.#afterBackoff, this.#policy.nextDelay(run), { unref });
    } catch (thrown) {
      this.#finish(undefined);
      this.#reject(thrown);
    }
  }

  #remove(context: CallContext): void {
    context.release();
    const i = this.#inFlight.indexOf(context);
    if (i !== -1) this.#inFlight.splice(i, 1);
  }

  /** Settles the run; attempts still out are aborted with `reason`, or a "lost the race" AbortError. */
  #finish(reason: unknown): void {
    this.#settled = true;
    this.#policy.hedges!.remove(this);
    this.#timer?.clear();
    this.#timer = undefined;
    const losers = this.#inFlight;
    this.#inFlight = [];
    if (losers.length > 0) {
      const loserReason = reason ?? hedgeLost();
      for (const loser of losers) loser.abort(loserReason);
    }
    this.release();
  }

  protected override onAbort(reason: unknown): void {
    if (this.#settled) return;
    this.#finish(reason);
    this.#reject(this.#policy.giveUp(this.#run, 'aborted', reason, reason));
  }
}
