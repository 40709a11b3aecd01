import type { Clock, Timer } from '@bulwark/core';
import { CacheL2UnavailableError } from '../cache-l2-unavailable-error.js';
import type { L2Guard } from './l2-guard.js';

interface Call {
  readonly deadline: number;
  readonly operation: string;
  readonly reject: (error: unknown) => void;
  readonly guard: L2Guard | undefined;
  readonly probe: boolean;
  settled: boolean;
  prev: Call | undefined;
  next: Call | undefined;
}

/**
 * The deadline of every Redis call in flight, served by one timer. All calls share one limit, so
 * they expire in the order they started: a queue replaces a timer per call. A call leaves the
 * queue as it settles (so nothing it answered is kept alive until the timer fires); the timer stays
 * armed and re-aims at the oldest call when it fires. The hot read path allocates one promise and
 * one small record per call, no timer.
 */
export class Deadlines {
  readonly #ms: number;
  readonly #clock: Clock;
  #head: Call | undefined = undefined;
  #tail: Call | undefined = undefined;
  #timer: Timer | undefined = undefined;

  constructor(ms: number, clock: Clock) {
    this.#ms = ms;
    this.#clock = clock;
  }

  /**
   * `pending`, or a {@link CacheL2UnavailableError} once the limit has passed. Reports the outcome
   * to `guard` (when given) as it settles.
   */
  race<T>(operation: string, pending: Promise<T>, guard: L2Guard | undefined, probe: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const tail = this.#tail;
      const call: Call = { deadline: this.#clock.monotonic() + this.#ms, operation, reject, guard, probe, settled: false, prev: tail, next: undefined };
      if (tail === undefined) this.#head = call;
      else tail.next = call;
      this.#tail = call;
      if (this.#timer === undefined) this.#arm(this.#ms);
      pending.then(
        (value) => {
          if (call.settled) return;
          this.#settle(call);
          guard?.succeeded(probe);
          resolve(value);
        },
        (error: unknown) => {
          if (call.settled) return;
          this.#settle(call);
          guard?.failed(probe);
          reject(error);
        },
      );
    });
  }

  #settle(call: Call): void {
    call.settled = true;
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
      this.#settle(call);
      call.guard?.failed(call.probe);
      call.reject(new CacheL2UnavailableError(call.operation, `no reply within ${this.#ms} ms`));
    }
    if (this.#head !== undefined) this.#arm(this.#head.deadline - now);
  };
}
