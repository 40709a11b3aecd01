import type { ResultAsync } from 'neverthrow';
import { BulkheadFullError } from './bulkhead-full-error.js';
import type { BulwarkError } from './bulwark-error.js';
import { CallContext } from './call-context.js';
import { EventEmitter, type Event } from './event.js';
import type { RejectedEvent } from './event-payloads.js';
import type { AbortSource, Policy, PolicyFunction } from './policy.js';
import { toResult } from './to-result.js';
import { expectFunction, expectInteger, expectName, expectOptions, knownOptions } from './validate.js';

/** Options for {@link bulkhead}. */
export interface BulkheadOptions {
  /** How many calls may run at once: a positive integer. */
  readonly limit: number;
  /** How many calls may wait for a slot, first in first out; beyond that calls are rejected. @default 0 */
  readonly queue?: number;
  /** A name for logs and metrics. @default 'bulkhead' */
  readonly name?: string;
}

/** Emitted by {@link BulkheadPolicy.onRejected} when a call finds no slot and no room in the queue. */
export interface BulkheadRejectedEvent extends RejectedEvent {
  /** Always `full`: every slot taken and the queue full. */
  readonly reason: 'full';
  /** Always `undefined`: a bulkhead cannot tell when a slot frees. */
  readonly retryAfterMs: undefined;
  /** Calls running when it was refused. */
  readonly executing: number;
  /** Calls waiting when it was refused. */
  readonly queued: number;
}

/** A {@link Policy} that caps concurrency. Create one with {@link bulkhead}. */
export interface BulkheadPolicy extends Policy {
  /** The name given in the options, for logs and metrics. */
  readonly name: string;
  /** Calls running now. */
  readonly executing: number;
  /** Calls waiting for a slot now. */
  readonly queued: number;
  /** Fires when a call is rejected with {@link BulkheadFullError}. */
  readonly onRejected: Event<BulkheadRejectedEvent>;
}

class Waiter extends CallContext {
  grant: (() => void) | undefined = undefined;
  reject: ((reason: unknown) => void) | undefined = undefined;
  waiting = false;
  readonly #owner: Bulkhead;
  constructor(owner: Bulkhead, parent: AbortSource | undefined) {
    super(parent);
    this.#owner = owner;
  }
  protected override onAbort(reason: unknown): void {
    if (!this.waiting) return;
    this.#owner.leaveQueue(this);
    this.reject!(reason);
  }
}

class Bulkhead implements BulkheadPolicy {
  readonly name: string;
  readonly #limit: number;
  readonly #queueLimit: number;
  readonly #onRejected = new EventEmitter<BulkheadRejectedEvent>();
  readonly onRejected = this.#onRejected.event;
  #executing = 0;
  #queue: Waiter[] = [];

  constructor(name: string, limit: number, queue: number) {
    this.name = name;
    this.#limit = limit;
    this.#queueLimit = queue;
  }

  get executing(): number {
    return this.#executing;
  }

  get queued(): number {
    return this.#queue.length;
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    expectFunction('fn', fn);
    const call = new Waiter(this, signal);
    if (call.aborted) throw call.reason;
    if (this.#executing < this.#limit) {
      this.#executing++;
    } else if (this.#queue.length < this.#queueLimit) {
      await new Promise<void>((resolve, reject) => {
        call.grant = resolve;
        call.reject = reject;
        call.waiting = true;
        this.#queue.push(call);
        call.listen();
      });
    } else {
      if (this.#onRejected.hasListeners) {
        this.#onRejected.emit({
          name: this.name,
          reason: 'full',
          retryAfterMs: undefined,
          executing: this.#executing,
          queued: this.#queue.length,
        });
      }
      throw new BulkheadFullError(this.#limit, this.#queueLimit);
    }
    try {
      return await fn(call);
    } finally {
      call.release();
      this.#handOver();
    }
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }

  /** Passes the finished call's slot to the next waiter, or frees it. */
  #handOver(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#executing--;
      return;
    }
    next.waiting = false;
    next.grant!();
  }

  leaveQueue(waiter: Waiter): void {
    waiter.waiting = false;
    const i = this.#queue.indexOf(waiter);
    if (i !== -1) this.#queue.splice(i, 1);
  }
}

const BULKHEAD_OPTIONS = knownOptions<BulkheadOptions>('bulkhead()', {
  limit: ['concurrency', 'maxConcurrent', 'maxConcurrency'],
  queue: ['maxQueue', 'queueSize', 'maxQueued'],
  name: [],
});

/**
 * Creates a policy that lets at most `limit` calls run at once and up to `queue` more wait their
 * turn in order. A call beyond both is rejected at once with {@link BulkheadFullError}; a queued
 * call whose signal aborts leaves the queue at once, rejecting with the abort reason.
 *
 * Use it to keep one slow dependency from taking every connection or worker you have.
 *
 * @example
 * ```ts
 * declare function render(report: string): Promise<Uint8Array>;
 * declare const report: string;
 * const fourAtATime = bulkhead({ limit: 4, queue: 16 });
 * await fourAtATime.execute(() => render(report));
 * ```
 */
export function bulkhead(options: BulkheadOptions): BulkheadPolicy {
  expectOptions('options', options, BULKHEAD_OPTIONS);
  if (options === undefined) throw new TypeError('Expected `options` to be an options object, got undefined.');
  expectInteger('limit', options.limit, { min: 1 });
  const queue = options.queue ?? 0;
  expectInteger('queue', queue, { min: 0 });
  const name = options.name ?? 'bulkhead';
  expectName(name);
  return new Bulkhead(name, options.limit, queue);
}
