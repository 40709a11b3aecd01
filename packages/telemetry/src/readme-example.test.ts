import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test, vi } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const tmp = fileURLToPath(new URL(`../test/readme-usage.${process.pid}.tmp.ts`, import.meta.url));

afterEach(() => {
  rmSync(tmp, { force: true });
  vi.restoreAllMocks();
});

test("the README's Usage example runs and prints what it says", async () => {
  const usage = readme.split('## Usage')[1]?.match(/```ts(?: test)?\n([\s\S]*?)```/)?.[1];
  expect(usage, 'a ```ts block under ## Usage').toBeDefined();
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  writeFileSync(tmp, usage!.replace(/from '@bulwark\/telemetry'/g, `from ${JSON.stringify(index)}`));
  const logs: unknown[][] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args));
  await import(/* @vite-ignore */ tmp);
  expect(logs).toHaveLength(3);
  expect(typeof logs[0]![0]).toBe('number'); // p99 latency of the one call
  expect(logs[1]![0]).toBe(200);
  expect(JSON.parse(logs[1]![1] as string)).toMatchObject({ status: 'pass', serviceId: 'validation-gateway', version: '1' });
  expect(logs[2]).toEqual(['text/plain; version=0.0.4; charset=utf-8', true]);
});
