import { runBuiltWorker } from '@bulwark/test-utils';
import { expect, test } from 'vitest';

// A plain Node process, as a user has: the built package, not the test runner's source condition.
const built = new URL('../dist/index.js', import.meta.url);

test('a script awaiting a retry at top level waits for it and gets the value (the wait holds the process)', async () => {
  const run = await runBuiltWorker(new URL('./top-level-retry-worker.mjs', import.meta.url), { built });
  expect(run).toEqual({ code: 0, stdout: `${JSON.stringify({ value: 'rate 1.08', calls: 2 })}\n`, stderr: '', messages: [] });
});

test('with unref: true a pending backoff wait does not hold the process open', async () => {
  // Bounded: a referenced one-minute timer would keep the child alive far past the run's 15 s guard.
  const run = await runBuiltWorker(new URL('./pending-wait-worker.mjs', import.meta.url), { built });
  expect(run).toEqual({ code: 0, stdout: '', stderr: '', messages: [{ waiting: 60_000 }] });
});
