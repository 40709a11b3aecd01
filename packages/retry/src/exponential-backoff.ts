import { expectNumber, expectOneOf, expectOptions, knownOptions } from '@bulwark/core';
import type { Backoff } from './backoff.js';

/** Options for {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** The ceiling of the first wait, in milliseconds. @default 100 */
  readonly initialDelayMs?: number;
  /** How much the ceiling grows after each failed attempt: at least 1. @default 2 */
  readonly factor?: number;
  /**
   * `'full'`: wait a uniformly random time in [0, ceiling) ("full jitter"), which spreads clients
   * that failed together so they do not retry together. `'none'`: wait the ceiling itself.
   * @default 'full'
   */
  readonly jitter?: 'full' | 'none';
}

const EXPONENTIAL_BACKOFF_OPTIONS = knownOptions<ExponentialBackoffOptions>('exponentialBackoff()', {
  initialDelayMs: ['initialDelay', 'minTimeout', 'minDelay', 'baseMs'],
  factor: ['exponent', 'multiplier'],
  jitter: [],
});

/**
 * Exponential backoff, with full jitter by default: before retry _n_ the ceiling is
 * `min(maxDelayMs, initialDelayMs × factor^(n−1))` and the wait a random time below it.
 * Full jitter is the choice of AWS's "Exponential Backoff and Jitter" study: the least total work
 * for a crowd of clients retrying against one server. It is the policy's default backoff.
 *
 * @example
 * ```ts
 * retry({ backoff: exponentialBackoff({ initialDelayMs: 200, factor: 3 }) });
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  expectOptions('options', options, EXPONENTIAL_BACKOFF_OPTIONS);
  const initial = options.initialDelayMs ?? 100;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 'full';
  expectNumber('initialDelayMs', initial, { min: 0 });
  expectNumber('factor', factor, { min: 1 });
  expectOneOf('jitter', jitter, ['full', 'none'] as const);
  const full = jitter === 'full';
  return ({ attempt, maxDelayMs, random }) => {
    const ceiling = Math.min(maxDelayMs, initial * factor ** (attempt - 1));
    return full ? random() * ceiling : ceiling;
  };
}
