import type { Clock, Timer } from '@bulwark/core';

/** Something waiting in a {@link FixedDelayQueue}. */
export interface QueueEntry {
  due: number;
  queued: boolean;
  prev: QueueEntry | undefined;
  next: QueueEntry | undefined;
  /** Runs once the delay has passed, unless the entry left the queue first. */
  expire(): void;
}

/**
 * Many waits of one fixed delay on a single timer. With one delay, arrival order is deadline order,
 * so a linked list gives O(1) insert and removal and a hedged call costs no timer of its own.
 */
export class FixedDelayQueue {
  readonly #clock: Clock;
  readonly #delayMs: number;
  readonly #unref: boolean;
  #head: QueueEntry | undefined = undefined;
  #tail: QueueEntry | undefined = undefined;
  #timer: Timer | undefined = undefined;

  constructor(clock: Clock, delayMs: number, unref: boolean) {
    this.#clock = clock;
    this.#delayMs = delayMs;
    this.#unref = unref;
  }

  add(entry: QueueEntry): void {
    if (entry.queued) this.remove(entry);
    entry.due = this.#clock.monotonic() + this.#delayMs;
    entry.queued = true;
    entry.next = undefined;
    const tail = this.#tail;
    entry.prev = tail;
    if (tail === undefined) this.#head = entry;
    else tail.next = entry;
    this.#tail = entry;
    if (this.#timer === undefined) this.#arm(this.#delayMs);
  }

  /** Takes an entry out; the timer stays armed and re-aims when it fires (unless it would hold the process). */
  remove(entry: QueueEntry): void {
    if (!entry.queued) return;
    entry.queued = false;
    const { prev, next } = entry;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = undefined;
    // A referenced timer with nothing to do would keep the process alive for nothing.
    if (this.#head === undefined && !this.#unref) {
      this.#timer?.clear();
      this.#timer = undefined;
    }
  }

  #arm(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, delayMs), { unref: this.#unref });
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = this.#clock.monotonic();
    // Timers may fire a fraction of a millisecond early against the monotonic clock.
    for (let entry = this.#head; entry !== undefined && entry.due <= now + 0.5; entry = this.#head) {
      this.remove(entry);
      entry.expire();
    }
    if (this.#head !== undefined && this.#timer === undefined) this.#arm(this.#head.due - now);
  };
}
