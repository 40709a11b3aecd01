import type { ChildProcess } from 'node:child_process';
import { forkBuiltWorker } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';

const dist = new URL('../dist/index.js', import.meta.url);
const worker = new URL('../test/without-opentelemetry.mjs', import.meta.url);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

test('works without @opentelemetry/api installed: lines carry no trace ids and nothing throws', async () => {
  // Plain Node, as a user runs it: no source condition inherited from the test runner.
  const child = forkBuiltWorker(worker, { built: dist });
  children.push(child);
  const answer = await new Promise<{ lines: string[]; attempts: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not answer within 15 s')), 15_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as { lines: string[]; attempts: number });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the worker exited with ${code}`));
    });
  });
  expect(answer.attempts).toBe(1); // tried once, lazily, then remembered
  expect(answer.lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
    expect.objectContaining({ message: 'first', service: 'no-otel' }),
    expect.objectContaining({ message: 'second', service: 'no-otel' }),
  ]);
  for (const line of answer.lines) expect(line).not.toContain('trace_id');
});
