import { runBuiltWorker } from '@bulwark/test-utils';
import { expect, test } from 'vitest';

test('a script awaiting ready() gets the timed-out check, however little else keeps the process alive', async () => {
  // A plain Node process, as a user has: the built package, not the test runner's source condition.
  const run = await runBuiltWorker(new URL('./slow-check-worker.mjs', import.meta.url), { built: new URL('../dist/index.js', import.meta.url) });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(run.stdout)).toEqual({ status: 'fail', output: 'Health check "db" timed out after 200 ms.' });
});
