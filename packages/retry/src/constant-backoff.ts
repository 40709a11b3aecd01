import { expectNumber } from '@bulwark/core';
import type { Backoff } from './backoff.js';

/**
 * The same wait before every retry, in milliseconds. `constantBackoff(0)` retries at once (still
 * after a turn of the event loop, so a synchronous failure cannot spin).
 *
 * @example
 * ```ts
 * retry({ backoff: constantBackoff(500) });
 * ```
 */
export function constantBackoff(delayMs: number): Backoff {
  expectNumber('delayMs', delayMs, { min: 0 });
  return () => delayMs;
}
