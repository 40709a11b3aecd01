import type { Backoff } from '@bulwark/retry';

/** Just under 1: the top of a uniform random source's range, so a jittered backoff gives its longest wait. */
const TOP = 1 - Number.EPSILON;

/**
 * The longest waits a retry with this backoff can make, in order, stopping once they add up to
 * more than `limitMs`; `undefined` when the backoff cannot be asked without a real failure (it
 * threw).
 */
export function retryWaitsUpTo(backoff: Backoff, maxAttempts: number, maxDelayMs: number, limitMs: number): number[] | undefined {
  const waits: number[] = [];
  let sum = 0;
  let previousDelayMs = 0;
  for (let attempt = 1; attempt < maxAttempts && sum <= limitMs; attempt++) {
    let ms: number;
    try {
      ms = backoff({ attempt, error: undefined, previousDelayMs, maxDelayMs, random: () => TOP });
    } catch {
      return undefined;
    }
    if (typeof ms !== 'number' || !(ms >= 0)) return undefined;
    const wait = Math.min(ms, maxDelayMs);
    waits.push(wait);
    sum += wait;
    previousDelayMs = wait;
  }
  return waits;
}
