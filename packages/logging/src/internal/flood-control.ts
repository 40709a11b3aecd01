import type { Clock, Timer } from '@bulwark/core';

interface Window<T> {
  readonly start: number;
  count: number;
  dropped: number;
  last: T | undefined;
  timer: Timer | undefined;
}

/** Above this many distinct errors in their window at once, new ones pass unsampled. */
const MAX_TRACKED = 1_000;

/**
 * Samples repeats of the same error: within `windowMs` of its first line, `maxPerWindow` lines pass
 * and the rest are counted. When the window closes (on the clock, or when the next repeat arrives
 * after it), `onSuppressed` gets the last dropped line and how many were dropped, so that a summary
 * can be written: nothing vanishes without a count.
 */
export class FloodControl<T> {
  readonly windowMs: number;
  readonly #maxPerWindow: number;
  readonly #clock: Clock;
  readonly #onSuppressed: (last: T, dropped: number) => void;
  readonly #windows = new Map<string, Window<T>>();

  constructor(clock: Clock, windowMs: number, maxPerWindow: number, onSuppressed: (last: T, dropped: number) => void) {
    this.#clock = clock;
    this.windowMs = windowMs;
    this.#maxPerWindow = maxPerWindow;
    this.#onSuppressed = onSuppressed;
  }

  /** Whether the line keyed `key` may be written; `capture` is called only for a dropped line. */
  admit(key: string, capture: () => T): boolean {
    const now = this.#clock.monotonic();
    let window = this.#windows.get(key);
    if (window === undefined || now - window.start >= this.windowMs) {
      if (window !== undefined) this.#close(key, window);
      if (this.#windows.size >= MAX_TRACKED && !this.#sweep(now)) return true;
      window = { start: now, count: 0, dropped: 0, last: undefined, timer: undefined };
      this.#windows.set(key, window);
    }
    if (++window.count <= this.#maxPerWindow) return true;
    window.dropped++;
    window.last = capture();
    if (window.timer === undefined) {
      const open = window;
      open.timer = this.#clock.setTimeout(() => this.#close(key, open), open.start + this.windowMs - now, { unref: true });
    }
    return false;
  }

  /** Closes every window now, reporting what each dropped. */
  flush(): void {
    for (const [key, window] of this.#windows) this.#close(key, window);
  }

  #close(key: string, window: Window<T>): void {
    window.timer?.clear();
    window.timer = undefined;
    if (this.#windows.get(key) === window) this.#windows.delete(key);
    const { dropped, last } = window;
    window.dropped = 0;
    window.last = undefined;
    if (dropped > 0 && last !== undefined) this.#onSuppressed(last, dropped);
  }

  /** Forgets windows that have ended with nothing dropped; whether room was made. */
  #sweep(now: number): boolean {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.windowMs) this.#close(key, window);
    }
    return this.#windows.size < MAX_TRACKED;
  }
}
