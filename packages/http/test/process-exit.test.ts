import { runBuiltWorker } from '@bulwark/test-utils';
import { expect, test } from 'vitest';

test("a script awaiting a request at top level waits out the standard retry's wait and gets the answer", async () => {
  // A plain Node process, as a user has: the built package, not the test runner's source condition.
  const run = await runBuiltWorker(new URL('./top-level-request-worker.mjs', import.meta.url), {
    built: new URL('../dist/standard/index.js', import.meta.url),
  });
  expect(run).toEqual({ code: 0, stdout: `${JSON.stringify({ rate: 1.08, calls: 2 })}\n`, stderr: '', messages: [] });
});
