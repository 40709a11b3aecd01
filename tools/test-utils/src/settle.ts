import type { FakeClock } from '@bulwark/core';

/** What a promise came to, as a value. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * What `promise` comes to, as a value that never rejects: for a test that drives events and cares
 * for the outcome later, or not at all. Attach it before the promise can reject.
 */
export function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Options of {@link runUntilSettled}. */
export interface RunUntilSettledOptions {
  /**
   * How fake time moves: by steps of this many milliseconds until the promise settles (so that it
   * moves only about as far as the promise needs), or `'timers'` to run every timer however far
   * ahead, timers those set included, once (`clock.runAllAsync()`).
   * @default 10
   */
  readonly stepMs?: number | 'timers';
  /** The most steps of `stepMs` before giving up (the promise is then returned unsettled). @default 1_000 */
  readonly maxSteps?: number;
}

/**
 * Moves `clock` until `promise` settles, and returns it (rejecting as it does): for a call that
 * waits on fake time (backoffs, breaks, timeouts) in a test that cannot say beforehand how long.
 */
export async function runUntilSettled<T>(clock: FakeClock, promise: Promise<T>, options: RunUntilSettledOptions = {}): Promise<T> {
  const { stepMs = 10, maxSteps = 1_000 } = options;
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  if (stepMs === 'timers') await clock.runAllAsync();
  else for (let i = 0; i < maxSteps && !done; i++) await clock.tickAsync(stepMs);
  return tracked;
}
