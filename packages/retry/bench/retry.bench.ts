import type { Clock } from '@bulwark/core';
import { constantBackoff, retry } from '@bulwark/retry';
import { ConstantBackoff, handleAll, retry as cockatielRetry } from 'cockatiel';
import pRetry from 'p-retry';

const BATCH = 100;
const work = async (): Promise<number> => 1;
const loop =
  (once: () => Promise<unknown>, batch = BATCH) =>
  async (): Promise<void> => {
    for (let i = 0; i < batch; i++) await once();
  };

/** Fails every other call with a connection reset, which every library here retries. */
const failEveryOther = (): (() => Promise<number>) => {
  let n = 0;
  return async () => {
    if (n++ % 2 === 0) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    return 1;
  };
};

/**
 * A clock whose timers fire on the next microtask: the "fake delay" used to compare the retry
 * machinery itself with p-retry, which skips its timer altogether when the delay is 0.
 */
const instantClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(callback) {
    let cleared = false;
    queueMicrotask(() => {
      if (!cleared) callback();
    });
    return {
      clear: () => {
        cleared = true;
      },
    };
  },
};

// Three calls at most for everyone: our maxAttempts counts every call, cockatiel's counts retries,
// p-retry's `retries` counts retries.
const ours = retry({ maxAttempts: 3 });
const theirs = cockatielRetry(handleAll, { maxAttempts: 2 });

// `unref: false`: the bench's process has nothing else pending, and an unref'd wait would let it exit.
const oursRealZero = retry({ maxAttempts: 3, backoff: constantBackoff(0), unref: false });
const theirsRealZero = cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ConstantBackoff(0) });
const oursRealOne = retry({ maxAttempts: 3, backoff: constantBackoff(1), unref: false });
const oursInstant = retry({ maxAttempts: 3, backoff: constantBackoff(0), clock: instantClock });

const oursHedged = retry({ maxAttempts: 3, hedge: { delayMs: 1_000 } });

const flakyOurs = failEveryOther();
const flakyCockatiel = failEveryOther();
const flakyOursOne = failEveryOther();
const flakyOursInstant = failEveryOther();
const flakyPRetryInstant = failEveryOther();

const suites = [
  {
    suite: 'retry, success path',
    cases: [
      { name: 'bare await fn()', peer: 'baseline', batch: BATCH, fn: loop(work) },
      { name: '@bulwark/retry retry({ maxAttempts: 3 })', peer: null, batch: BATCH, fn: loop(() => ours.execute(work)) },
      {
        name: 'cockatiel retry(handleAll, { maxAttempts: 2 })',
        peer: 'cockatiel',
        batch: BATCH,
        fn: loop(() => theirs.execute(work)),
      },
      { name: 'p-retry pRetry(fn, { retries: 2 })', peer: 'p-retry', batch: BATCH, fn: loop(() => pRetry(work, { retries: 2 })) },
    ],
  },
  {
    // No peer hedges; this shows what arming (and clearing) the hedge timer costs per call.
    suite: 'retry with hedging, success path',
    cases: [
      { name: 'bare await fn()', peer: 'baseline', batch: BATCH, fn: loop(work) },
      {
        name: '@bulwark/retry hedge: { delayMs: 1000 }',
        peer: null,
        batch: BATCH,
        fn: loop(() => oursHedged.execute(work)),
      },
    ],
  },
  {
    // Both are asked for a 0 ms wait on real time. Ours waits one turn of the event loop (the system
    // clock runs a 0 ms timer with setImmediate); cockatiel waits on setTimeout(0), which Node runs
    // after 1 ms at the least. The baselines show the two waits alone, and ours asked for 1 ms: the
    // same timer as cockatiel's, so what is left between those two is the machinery.
    suite: 'retry, one failure then success, real 0 ms timer',
    cases: [
      {
        name: '@bulwark/retry constantBackoff(0)',
        peer: null,
        batch: 1,
        fn: () => oursRealZero.execute(flakyOurs),
      },
      {
        name: 'cockatiel ConstantBackoff(0)',
        peer: 'cockatiel',
        batch: 1,
        fn: () => theirsRealZero.execute(flakyCockatiel),
      },
      {
        name: '@bulwark/retry constantBackoff(1) (a 1 ms timer, as cockatiel waits)',
        peer: 'baseline',
        batch: 1,
        fn: () => oursRealOne.execute(flakyOursOne),
      },
      { name: 'await setImmediate alone', peer: 'baseline', batch: 1, fn: () => new Promise<void>((resolve) => setImmediate(resolve)) },
      { name: 'await setTimeout(0) alone', peer: 'baseline', batch: 1, fn: () => new Promise<void>((resolve) => setTimeout(resolve, 0)) },
    ],
  },
  {
    // No timer at all: p-retry skips it for a 0 ms delay; ours waits on a clock that fires at once.
    suite: 'retry, one failure then success, no timer',
    cases: [
      {
        name: '@bulwark/retry constantBackoff(0), instant clock',
        peer: null,
        batch: BATCH,
        fn: loop(() => oursInstant.execute(flakyOursInstant)),
      },
      {
        name: 'p-retry minTimeout: 0',
        peer: 'p-retry',
        batch: BATCH,
        fn: loop(() => pRetry(flakyPRetryInstant, { retries: 2, minTimeout: 0 })),
      },
    ],
  },
];

export default suites;
