import { circuitBreaker } from '@bulwark/breaker';
import { pipeline, timeout } from '@bulwark/core';
import { retry } from '@bulwark/retry';
import type { BenchSuite } from '@bulwark/test-utils';
import {
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker as cockatielBreaker,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  wrap,
} from 'cockatiel';

const BATCH = 100;
const work = async (): Promise<number> => 1;
const loop =
  (once: () => Promise<unknown>) =>
  async (): Promise<void> => {
    for (let i = 0; i < BATCH; i++) await once();
  };

// The same three policies on both sides: up to 3 calls, a breaker after 5 consecutive failures, a
// 1-second timeout per attempt. (cockatiel's maxAttempts counts retries: 2 retries = 3 calls.)
const ours = pipeline(
  retry({ maxAttempts: 3 }),
  circuitBreaker({ breaker: { kind: 'consecutive', threshold: 5 }, halfOpenAfterMs: 10_000 }),
  timeout(1_000),
);
const theirs = wrap(
  cockatielRetry(handleAll, { maxAttempts: 2 }),
  cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
  cockatielTimeout(1_000, TimeoutStrategy.Aggressive),
);

const suites: BenchSuite[] = [
  {
    suite: 'pipeline(retry, circuitBreaker, timeout), success path',
    cases: [
      { name: 'bare await fn()', peer: 'baseline', batch: BATCH, fn: loop(work) },
      { name: '@bulwark pipeline(retry, circuitBreaker, timeout)', peer: null, batch: BATCH, fn: loop(() => ours.execute(work)) },
      { name: 'cockatiel wrap(retry, circuitBreaker, timeout)', peer: 'cockatiel', batch: BATCH, fn: loop(() => theirs.execute(work)) },
    ],
  },
];

export default suites;
