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
  /** Runs `callback` once after `delayMs` milliseconds. */
  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): Timer;
}

class SystemTimer implements Timer {
  readonly #handle: ReturnType<typeof setTimeout>;
  constructor(callback: () => void, delayMs: number, unref: boolean) {
    this.#handle = setTimeout(callback, delayMs);
    if (unref) this.#handle.unref?.();
  }
  clear(): void {
    clearTimeout(this.#handle);
  }
}

/** The real clock: `Date.now()`, `performance.now()` and the platform's `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback: () => void, delayMs: number, options?: TimerOptions): Timer =>
    new SystemTimer(callback, delayMs, options?.unref ?? false),
});
