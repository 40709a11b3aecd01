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
  next: Call | undefined;
}

/**
 * The deadline of every Redis call in flight, served by one timer. All calls share one limit, so
 * they expire in the order they started: a queue replaces a timer per call, and a call that
 * settles is only marked, then dropped when the timer passes it. The hot read path allocates one
 * promise and one small record per call, no timer.
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
      const call: Call = { deadline: this.#clock.monotonic() + this.#ms, operation, reject, guard, probe, settled: false, next: undefined };
      if (this.#tail === undefined) this.#head = call;
      else this.#tail.next = call;
      this.#tail = call;
      if (this.#timer === undefined) this.#arm(this.#ms);
      pending.then(
        (value) => {
          if (call.settled) return;
          call.settled = true;
          guard?.succeeded(probe);
          resolve(value);
        },
        (error: unknown) => {
          if (call.settled) return;
          call.settled = true;
          guard?.failed(probe);
          reject(error);
        },
      );
    });
  }

  #arm(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(this.#expire, Math.max(0, delayMs), { unref: true });
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    const now = this.#clock.monotonic();
    let call = this.#head;
    // Timers may fire a fraction of a millisecond early against the monotonic clock.
    for (; call !== undefined && (call.settled || call.deadline <= now + 0.5); call = call.next) {
      if (call.settled) continue;
      call.settled = true;
      call.guard?.failed(call.probe);
      call.reject(new CacheL2UnavailableError(call.operation, `no reply within ${this.#ms} ms`));
    }
    this.#head = call;
    if (call === undefined) this.#tail = undefined;
    else this.#arm(call.deadline - now);
  };
}
