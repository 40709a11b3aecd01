import type { Clock, Timer } from './clock.js';

/**
 * The timer of a deadline that a caller may come to await, after it was started for work nobody
 * awaited yet (a background refresh that a caller then joins). Not held, it never keeps the process
 * open: a finished process does not stay up for background work. Held, it does: a caller awaiting
 * the deadline may have nothing else pending, and an unref'd timer would let a script exit with its
 * await unsettled. `hold()` re-arms a running timer held, for the time it had left.
 *
 * @example
 * ```ts
 * import { DeadlineTimer, systemClock } from '@bulwark/core';
 * const deadline = new DeadlineTimer(systemClock, false); // a background load: holds nothing
 * deadline.start(5_000, () => console.log('abandoned'));
 * deadline.hold(); // a caller now awaits it: the process stays up until it fires or stops
 * deadline.stop();
 * ```
 */
export class DeadlineTimer {
  readonly #clock: Clock;
  #held: boolean;
  #timer: Timer | undefined = undefined;
  #due = 0;
  #expire: () => void = () => {};

  /** `held`: whether a caller awaits the deadline from the start. */
  constructor(clock: Clock, held: boolean) {
    this.#clock = clock;
    this.#held = held;
  }

  /** Calls `expire` in `ms` milliseconds, unless stopped first. */
  start(ms: number, expire: () => void): void {
    this.#due = this.#clock.monotonic() + ms;
    this.#expire = () => {
      this.#timer = undefined;
      expire();
    };
    this.#timer = this.#clock.setTimeout(this.#expire, ms, { unref: !this.#held });
  }

  /** Clears the timer; `expire` is not called. */
  stop(): void {
    this.#timer?.clear();
    this.#timer = undefined;
  }

  /** A caller now awaits the deadline: from now on its timer holds the process open. */
  hold(): void {
    if (this.#held) return;
    this.#held = true;
    if (this.#timer === undefined) return;
    this.#timer.clear();
    this.#timer = this.#clock.setTimeout(this.#expire, Math.max(0, this.#due - this.#clock.monotonic()));
  }
}
