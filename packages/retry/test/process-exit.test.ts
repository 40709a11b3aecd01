import type { ChildProcess } from 'node:child_process';
import { forkBuiltWorker } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';

const worker = new URL('./pending-wait-worker.mjs', import.meta.url);
const dist = new URL('../dist/index.js', import.meta.url);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

test('a pending backoff wait does not hold the process open', async () => {
  // A plain Node process, as a user has: the built package, not the test runner's source condition.
  const child = forkBuiltWorker(worker, { built: dist, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  children.push(child);
  const messages: unknown[] = [];
  child.on('message', (m) => messages.push(m));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Bounded: a referenced one-minute timer would keep the child alive far past this guard.
  const code = await new Promise<number | null | 'hung'>((resolve) => {
    const guard = setTimeout(() => resolve('hung'), 15_000);
    child.on('exit', (exitCode) => {
      clearTimeout(guard);
      resolve(exitCode);
    });
  });
  expect(stderr).toBe('');
  expect(messages).toEqual([{ waiting: 60_000 }]);
  expect(code).toBe(0);
});
