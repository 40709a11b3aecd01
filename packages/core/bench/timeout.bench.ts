import { fallback, pipeline, timeout } from '@bulwark/core';
import {
  TimeoutStrategy,
  fallback as cockatielFallback,
  handleAll,
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

const ours = timeout(1_000);
const theirs = cockatielTimeout(1_000, TimeoutStrategy.Aggressive);
const oursPipeline = pipeline(timeout(1_000), fallback(0));
const theirsPipeline = wrap(cockatielTimeout(1_000, TimeoutStrategy.Aggressive), cockatielFallback(handleAll, 0));

// Shape: BenchSuite[] from @bulwark/test-utils (not imported here: test-utils depends on core).
const suites = [
  {
    suite: 'timeout, success path',
    cases: [
      { name: 'bare await fn()', peer: 'baseline', batch: BATCH, fn: loop(work) },
      { name: '@bulwark/core timeout(1000)', peer: null, batch: BATCH, fn: loop(() => ours.execute(work)) },
      { name: 'cockatiel timeout(1000, Aggressive)', peer: 'cockatiel', batch: BATCH, fn: loop(() => theirs.execute(work)) },
    ],
  },
  {
    suite: 'pipeline(timeout, fallback), success path',
    cases: [
      { name: 'bare await fn()', peer: 'baseline', batch: BATCH, fn: loop(work) },
      { name: '@bulwark/core pipeline(timeout, fallback)', peer: null, batch: BATCH, fn: loop(() => oursPipeline.execute(work)) },
      { name: 'cockatiel wrap(timeout, fallback)', peer: 'cockatiel', batch: BATCH, fn: loop(() => theirsPipeline.execute(work)) },
    ],
  },
];

export default suites;
