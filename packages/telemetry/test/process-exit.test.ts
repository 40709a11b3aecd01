import type { ChildProcess } from 'node:child_process';
import { forkBuiltWorker } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';

const worker = new URL('./slow-check-worker.mjs', import.meta.url);
const dist = new URL('../dist/index.js', import.meta.url);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

test('a script awaiting ready() gets the timed-out check, however little else keeps the process alive', async () => {
  // A plain Node process, as a user has: the built package, not the test runner's source condition.
  const child = forkBuiltWorker(worker, { built: dist, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(stderr).toBe('');
  expect(JSON.parse(stdout)).toEqual({ status: 'fail', output: 'Health check "db" timed out after 200 ms.' });
  expect(code).toBe(0);
});
