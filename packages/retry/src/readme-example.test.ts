import { createFakeClock } from '@bulwark/core';
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { expect, test } from 'vitest';
import * as lib from './index.js';

/** The ```ts block that follows a `<!-- readme-test: NAME -->` marker in the README. */
function readmeBlock(name: string): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const match = new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`ts(?: test)?\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (match === null) throw new Error(`README.md has no block marked readme-test: ${name}.`);
  return match[1]!;
}

test('the README usage example runs and prints what it says', async () => {
  // Types stripped as Node strips them, so the example stays real TypeScript.
  const source = stripTypeScriptTypes(readmeBlock('usage'));
  // The example imports the package by name; hand it this build of the package instead, with every
  // policy on a fake clock so that its waits take no real time.
  const importLine = /^import \{([^}]+)\} from '@bulwark\/retry';$/m;
  const names = importLine.exec(source)?.[1];
  expect(names, 'the example imports from @bulwark/retry').toBeDefined();
  const body = source.replace(importLine, `const {${names}} = lib;`);
  expect(body).not.toMatch(/^import /m);
  const clock = createFakeClock();
  const patched = { ...lib, retry: (options: lib.RetryOptions = {}) => lib.retry({ clock, ...options }) };
  const lines: string[] = [];
  const fakeConsole = { log: (line: string) => lines.push(line) };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  const run = new AsyncFunction('lib', 'console', body)(patched, fakeConsole);
  await clock.runAllAsync();
  await run;
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^attempt 1 failed, retrying in \d+ ms$/);
  expect(lines[1]).toMatch(/^attempt 2 failed, retrying in \d+ ms$/);
  expect(lines[2]).toBe('rate 1.08 after 3 calls');
});
