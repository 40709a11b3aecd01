// Runs the README's Usage example as written, so that it cannot rot.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, vi } from 'vitest';

test('the README Usage example runs and prints what its comment says', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const usage = readme.slice(readme.indexOf('## Usage'));
  const block = /```ts(?: test)?\n([\s\S]*?)```/.exec(usage)?.[1];
  expect(block).toBeDefined();
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const source = block!.replace("from '@bulwark/cache'", `from ${JSON.stringify(index)}`);
  expect(source).not.toContain('@bulwark/cache');
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-cache-readme-'));
  const file = join(dir, 'usage.ts');
  writeFileSync(file, source);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    expect(log.mock.calls).toEqual([[true, true, 1]]);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
});
