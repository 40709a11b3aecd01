import type { ChildProcess } from 'node:child_process';
import { forkBuiltWorker } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';

const worker = new URL('./slow-provider-worker.mjs', import.meta.url);
const dist = new URL('../dist/index.js', import.meta.url);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs the worker in `mode` as a plain Node process (the built package) to its exit, or 15 s. */
async function run(mode: string): Promise<{ code: number | null | 'held open'; stdout: string; stderr: string }> {
  const child = forkBuiltWorker(worker, { built: dist, args: [mode], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null | 'held open'>((resolve) => {
    // Far below the worker's minute-long timeouts: a process held open shows as this, never as a long wait.
    const guard = setTimeout(() => resolve('held open'), 15_000);
    child.on('exit', (exitCode) => {
      clearTimeout(guard);
      resolve(exitCode);
    });
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
