/**
 * The simulator's source of time and timers. Every schedule (latency, hangs, the rate-limit windows,
 * outages, key rotation) reads it, so a test can pass a fake clock and move time by hand. The shape is
 * that of `@bulwark/core`'s `Clock`, so its `createFakeClock()` fits, without the simulator importing it.
 */
export interface Clock {
  /** Wall-clock time, milliseconds since the Unix epoch: only for the `startedAt` of the stats. */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin: every time of the run is measured on it. */
  monotonic(): number;
  /** Runs `callback` once after `delayMs` milliseconds; `unref` lets the process exit while it waits. */
  setTimeout(callback: () => void, delayMs: number, options?: { readonly unref?: boolean }): { clear(): void };
}

/** The real clock: `Date.now()`, `performance.now()` and the platform's timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(callback: () => void, delayMs: number, options?: { readonly unref?: boolean }) {
    const handle = setTimeout(callback, delayMs);
    if (options?.unref === true) handle.unref();
    return { clear: () => clearTimeout(handle) };
  },
});
