import { runBuiltWorker } from '@bulwark/test-utils';
import { expect, test } from 'vitest';

test('a pending backoff wait does not hold the process open', async () => {
  // A plain Node process, as a user has: the built package, not the test runner's source condition.
  // Bounded: a referenced one-minute timer would keep the child alive far past the run's 15 s guard.
  const run = await runBuiltWorker(new URL('./pending-wait-worker.mjs', import.meta.url), { built: new URL('../dist/index.js', import.meta.url) });
  expect(run).toEqual({ code: 0, stdout: '', stderr: '', messages: [{ waiting: 60_000 }] });
});
