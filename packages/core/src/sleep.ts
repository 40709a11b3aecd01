import { CallContext } from './call-context.js';
import { systemClock, type Clock, type Timer } from './clock.js';
import type { AbortSource } from './policy.js';
import { expectClock, expectNumber, expectOptions, knownOptions } from './validate.js';

/** Options for {@link sleep}. */
export interface SleepOptions {
  /** Stops the wait at once; the promise rejects with the abort reason. */
  readonly signal?: AbortSource;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** Let the process exit while waiting. @default false */
  readonly unref?: boolean;
}

class Sleeper extends CallContext {
  timer: Timer | undefined = undefined;
  reject: ((reason: unknown) => void) | undefined = undefined;
  protected override onAbort(reason: unknown): void {
    this.timer?.clear();
    this.reject?.(reason);
  }
}

const SLEEP_OPTIONS = knownOptions<SleepOptions>('sleep()', { signal: [], clock: [], unref: [] });

/**
 * Waits `ms` milliseconds on the given clock; an abort ends the wait at once, rejecting with the
 * signal's reason, and removes every listener it added.
 *
 * @example
 * ```ts
 * declare const signal: AbortSignal;
 * await sleep(250, { signal });
 * ```
 */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  expectNumber('ms', ms, { min: 0 });
  expectOptions('options', options, SLEEP_OPTIONS);
  expectClock('clock', options.clock);
  // The context checks `signal` (expectAbortSource) before any timer is armed.
  const sleeper = new Sleeper(options.signal);
  if (sleeper.aborted) return Promise.reject(sleeper.reason);
  return new Promise<void>((resolve, reject) => {
    sleeper.reject = reject;
    sleeper.timer = (options.clock ?? systemClock).setTimeout(
      () => {
        sleeper.release();
        resolve();
      },
      ms,
      { unref: options.unref ?? false },
    );
    sleeper.listen();
  });
}
