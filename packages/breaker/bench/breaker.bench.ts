import { circuitBreaker } from '@bulwark/breaker';
import { ConsecutiveBreaker, CountBreaker, circuitBreaker as cockatielBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';

const BATCH = 100;
const work = async (): Promise<number> => 1;
const loop =
  (once: () => Promise<unknown>) =>
  async (): Promise<void> => {
    for (let i = 0; i < BATCH; i++) await once();
  };

const ours = circuitBreaker({ breaker: { kind: 'consecutive', threshold: 5 }, halfOpenAfterMs: 10_000 });
const theirs = cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
// opossum without its per-call timeout timer, so that it does the same work as the others.
const opossum = new Opossum(work, { timeout: false, resetTimeout: 10_000 });

const oursCount = circuitBreaker({ breaker: { kind: 'count', size: 100, minimumCalls: 20, failureRateThreshold: 0.5 }, halfOpenAfterMs: 10_000 });
const theirsCount = cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new CountBreaker({ size: 100, minimumNumberOfCalls: 20, threshold: 0.5 }) });

// Shape: BenchSuite[] from @bulwark/test-utils.
const suites = [
  {
    suite: 'circuit breaker (consecutive), success path',
    cases: [
      { name: 'bare await fn()', peer: 'baseline', batch: BATCH, fn: loop(work) },
      { name: '@bulwark/breaker circuitBreaker (consecutive 5)', peer: null, batch: BATCH, fn: loop(() => ours.execute(work)) },
      { name: 'cockatiel circuitBreaker(ConsecutiveBreaker(5))', peer: 'cockatiel', batch: BATCH, fn: loop(() => theirs.execute(work)) },
      { name: 'opossum fire() (timeout: false)', peer: 'opossum', batch: BATCH, fn: loop(() => opossum.fire()) },
    ],
  },
  {
    suite: 'circuit breaker (count window 100), success path',
    cases: [
      { name: 'bare await fn()', peer: 'baseline', batch: BATCH, fn: loop(work) },
      { name: '@bulwark/breaker circuitBreaker (count 100)', peer: null, batch: BATCH, fn: loop(() => oursCount.execute(work)) },
      { name: 'cockatiel circuitBreaker(CountBreaker(100))', peer: 'cockatiel', batch: BATCH, fn: loop(() => theirsCount.execute(work)) },
    ],
    teardown: () => opossum.shutdown(),
  },
];

export default suites;
