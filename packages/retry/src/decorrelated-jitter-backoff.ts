import { expectNumber, expectOptions, knownOptions } from '@bulwark/core';
import type { Backoff } from './backoff.js';

/** Options for {@link decorrelatedJitterBackoff}. */
export interface DecorrelatedJitterBackoffOptions {
  /** The smallest wait, and the first wait's ceiling's base, in milliseconds. @default 100 */
  readonly initialDelayMs?: number;
}

const DECORRELATED_JITTER_BACKOFF_OPTIONS = knownOptions<DecorrelatedJitterBackoffOptions>('decorrelatedJitterBackoff()', {
  initialDelayMs: ['initialDelay', 'minTimeout', 'minDelay', 'baseMs'],
});

/**
 * Decorrelated jitter (AWS's "Exponential Backoff and Jitter"): each wait is random in
 * `[initialDelayMs, 3 × previous wait)`, capped at `maxDelayMs`. Waits grow roughly exponentially
 * but each depends on the last one drawn, so clients drift apart faster than with plain jitter, and
 * no wait is shorter than `initialDelayMs` (unless `maxDelayMs` is smaller).
 *
 * @example
 * ```ts
 * retry({ backoff: decorrelatedJitterBackoff({ initialDelayMs: 50 }), maxDelayMs: 5_000 });
 * ```
 */
export function decorrelatedJitterBackoff(options: DecorrelatedJitterBackoffOptions = {}): Backoff {
  expectOptions('options', options, DECORRELATED_JITTER_BACKOFF_OPTIONS);
  const base = options.initialDelayMs ?? 100;
  expectNumber('initialDelayMs', base, { min: 0 });
  return ({ previousDelayMs, maxDelayMs, random }) => {
    const upper = Math.max(base, previousDelayMs * 3);
    return Math.min(maxDelayMs, base + random() * (upper - base));
  };
}
