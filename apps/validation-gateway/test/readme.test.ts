// Runs the README's ```ts test blocks, written beside it, so they cannot rot.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const dir = fileURLToPath(new URL('../.readme-examples/', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/^```ts test\s*\n([\s\S]*?)^```\s*$/gm)].map((m) => m[1]!);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  test('there is at least one', () => expect(blocks.length).toBeGreaterThan(0));
  blocks.forEach((code, i) => {
    test(`example ${i + 1}`, async () => {
      mkdirSync(dir, { recursive: true });
      const file = `${dir}example-${i + 1}.ts`;
      writeFileSync(file, `${code.replaceAll("'./src/", "'../src/")}\nexport {};\n`);
      await import(/* @vite-ignore */ file);
    });
  });
});
