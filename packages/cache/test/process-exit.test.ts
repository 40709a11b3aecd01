import { runBuiltWorker } from '@bulwark/test-utils';
import { expect, test } from 'vitest';

// A plain Node process, as a user has: the built package, not the test runner's source condition.
const built = new URL('../dist/index.js', import.meta.url);

test('a script awaiting at top level a loader that never settles gets a TimeoutError (the deadline holds the process)', async () => {
  const run = await runBuiltWorker(new URL('./top-level-hung-loader-worker.mjs', import.meta.url), { built });
  expect(run).toEqual({ code: 0, stdout: `${JSON.stringify({ timeout: true, timeoutMs: 200, aborted: true })}\n`, stderr: '', messages: [] });
});

test('a background refresh whose loader never settles does not hold the process open', async () => {
  // Bounded: a held one-minute deadline would keep the child alive far past the run's 15 s guard.
  const run = await runBuiltWorker(new URL('./background-hung-loader-worker.mjs', import.meta.url), { built });
  expect(run).toEqual({ code: 0, stdout: '', stderr: '', messages: [{ value: 'old' }] });
});
