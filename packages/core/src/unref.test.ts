import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// A guard timer must not keep a process alive: a script that leaves a 60-second timeout, a
// timeout signal and a stalled bulkhead queue pending exits as soon as its own work is done.
test('pending timeouts and timeout signals never hold the process open', async () => {
  if (!existsSync(`${packageDir}dist/index.js`)) throw new Error('packages/core/dist is missing: run `tsc -b` (npm test does) first.');
  const script = `
    import { bulkhead, timeout, timeoutSignal } from '@bulwark/core';
    timeout(60_000).execute(() => new Promise(() => {})).catch(() => {});
    timeout(60_000, { strategy: 'cooperative' }).execute(() => new Promise(() => {})).catch(() => {});
    timeoutSignal(60_000);
    const b = bulkhead({ limit: 1, queue: 1 });
    b.execute(() => new Promise(() => {}));
    b.execute(() => 1).catch(() => {});
    console.log('scheduled');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Far below the 60 s timers: a hang would show as this bound, never as a long wait.
  const bound = new Promise<'held open'>((resolve) => setTimeout(() => resolve('held open'), 15_000).unref());
  const result = await Promise.race([exited, bound]);
  child.kill('SIGKILL');
  expect(out).toContain('scheduled');
  expect(result).toBe(0);
});
