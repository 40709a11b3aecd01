/** A scheduled callback that can be cancelled. */
export interface Timer {
  /** Cancels the callback if it has not run yet. Safe to call more than once. */
  clear(): void;
}

/** Options for {@link Clock.setTimeout}. */
export interface TimerOptions {
  /**
   * Let the process exit while this timer is pending (Node's `unref`). Guards such as timeouts
   * always use it; retry waits use it by default (a pending retry must not block a shutdown), and
   * injected latency and `sleep` do not unless asked.
   * @default false
   */
  readonly unref?: boolean;
}

/**
 * The source of time and timers for every Bulwark primitive. Pass {@link createFakeClock}'s clock in
 * tests to drive time by hand; the default is {@link systemClock}.
 */
export interface Clock {
  /** Wall-clock time, milliseconds since the Unix epoch (like `Date.now()`). */
  now(): number;
  /** Monotonic time in milliseconds from an arbitrary origin (like `performance.now()`); never goes back. */
  monotonic(): number;
  /** Runs `callback` once after `delayMs` milliseconds, however long (`Infinity`: never). */
  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): Timer;
}

/**
 * The longest delay the platform's `setTimeout` keeps: 2^31 − 1 ms, about 24.8 days. Node fires a
 * longer one after 1 ms, so longer delays are waited out in stretches of at most this.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Turn {
  unref?(): unknown;
}
/** The next turn of the event loop, where the platform has one (Node, Deno, Bun); else a 0 ms timer. */
const turns: { start(callback: () => void): Turn; cancel(turn: Turn): void } =
  typeof setImmediate === 'function'
    ? { start: (callback) => setImmediate(callback), cancel: (turn) => clearImmediate(turn as ReturnType<typeof setImmediate>) }
    : { start: (callback) => setTimeout(callback, 0), cancel: (turn) => clearTimeout(turn as ReturnType<typeof setTimeout>) };

class SystemTimer implements Timer {
  #handle: ReturnType<typeof setTimeout> | undefined = undefined;
  #turn: Turn | undefined = undefined;
  readonly #callback: () => void;
  readonly #unref: boolean;

  constructor(callback: () => void, delayMs: number, unref: boolean) {
    this.#callback = callback;
    this.#unref = unref;
    if (!(delayMs > 0)) {
      // Node runs a timer of less than 1 ms after 1 ms; a wait of 0 (or less, or NaN) takes one turn.
      this.#turn = turns.start(callback);
      if (unref) this.#turn.unref?.();
    } else {
      this.#handle = delayMs > MAX_TIMER_MS ? this.#stretch(performance.now() + delayMs) : this.#arm(callback, delayMs);
    }
  }

  #arm(callback: () => void, delayMs: number): ReturnType<typeof setTimeout> {
    const handle = setTimeout(callback, delayMs);
    if (this.#unref) handle.unref?.();
    return handle;
  }

  /** One stretch towards `due` (on `performance.now()`); `Infinity` never comes. */
  #stretch(due: number): ReturnType<typeof setTimeout> {
    return this.#arm(() => {
      const left = due - performance.now();
      this.#handle = left > MAX_TIMER_MS ? this.#stretch(due) : this.#arm(this.#callback, left);
    }, MAX_TIMER_MS);
  }

  clear(): void {
    if (this.#turn !== undefined) turns.cancel(this.#turn);
    else clearTimeout(this.#handle);
  }
}

/**
 * The real clock: `Date.now()`, `performance.now()` and the platform's `setTimeout`, which it extends
 * to any delay: one longer than the platform's timer holds (about 24.8 days) is waited out in
 * stretches, `Infinity` never fires, and a delay of 0 (or less) runs on the next turn of the event
 * loop (`setImmediate`), where Node's `setTimeout` would wait 1 ms.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback: () => void, delayMs: number, options?: TimerOptions): Timer =>
    new SystemTimer(callback, delayMs, options?.unref ?? false),
});
