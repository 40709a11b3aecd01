import { systemClock, type Clock } from './clock.js';
import type { DisposableSignal } from './merge-signals.js';
import { TimeoutError } from './timeout-error.js';
import { expectClock, expectNumber, expectOptions, knownOptions } from './validate.js';

/** Options for {@link timeoutSignal}. */
export interface TimeoutSignalOptions {
  /** Time source. @default systemClock */
  readonly clock?: Clock;
}

const TIMEOUT_SIGNAL_OPTIONS = knownOptions<TimeoutSignalOptions>('timeoutSignal()', { clock: [] });

/**
 * A signal that aborts with a {@link TimeoutError} after `ms` milliseconds.
 *
 * Unlike `AbortSignal.timeout`, it runs on an injectable clock and its timer can be cleared with
 * `dispose()` once the work is done; the timer never holds the process open.
 *
 * @example
 * ```ts
 * declare const url: string;
 * using deadline = timeoutSignal(5_000);
 * await fetch(url, { signal: deadline.signal });
 * ```
 */
export function timeoutSignal(ms: number, options: TimeoutSignalOptions = {}): DisposableSignal {
  expectNumber('ms', ms, { min: 0 });
  expectOptions('options', options, TIMEOUT_SIGNAL_OPTIONS);
  expectClock('clock', options.clock);
  const controller = new AbortController();
  const timer = (options.clock ?? systemClock).setTimeout(() => controller.abort(new TimeoutError(ms)), ms, {
    unref: true,
  });
  const dispose = (): void => timer.clear();
  return { signal: controller.signal, dispose, [Symbol.dispose]: dispose };
}
