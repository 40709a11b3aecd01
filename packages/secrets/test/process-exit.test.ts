import { runBuiltWorker } from '@bulwark/test-utils';
import { expect, test } from 'vitest';

/**
 * Runs the worker in `mode` as a plain Node process (the built package) to its exit, or 15 s: far
 * below the worker's minute-long timeouts, so a process held open shows as `'held open'`.
 */
async function run(mode: string): Promise<{ code: number | null | 'held open'; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runBuiltWorker(new URL('./slow-provider-worker.mjs', import.meta.url), {
    built: new URL('../dist/index.js', import.meta.url),
    args: [mode],
  });
  return { code, stdout, stderr };
}

test('a script awaiting a read that times out gets the error, however little else keeps the process alive', async () => {
  expect(await run('read')).toEqual({ code: 0, stdout: 'SECRET_PROVIDER_FAILED\n', stderr: '' });
});

test('awaiting a fetch that a background refresh started holds the process until it settles', async () => {
  // Two fetches: the first read and the background refresh, which refresh() joined.
  expect(await run('join')).toEqual({ code: 0, stdout: 'SECRET_PROVIDER_FAILED 2\n', stderr: '' });
});

test('a background refresh nobody awaits does not hold the process open', async () => {
  // Its provider never answers and its timeout is a minute away; the script exits when its own work is done.
  expect(await run('background')).toEqual({ code: 0, stdout: 'refreshing 2\n', stderr: '' });
});
