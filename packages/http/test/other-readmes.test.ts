import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';

// Examples in other packages' READMEs that use this one run here, where every package they import
// is installed (a package cannot install @bulwark/http for its own tests without a cycle).
const out = new URL('../.readme-examples/', import.meta.url);
afterAll(() => rmSync(out, { recursive: true, force: true }));

function block(readme: string, name: string): string {
  const text = readFileSync(new URL(`../../${readme}`, import.meta.url), 'utf8');
  const match = new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  if (match === null) throw new Error(`packages/${readme} has no block marked readme-test: ${name}.`);
  return match[1]!;
}

test('the retry README retries a 503 through @bulwark/http', async () => {
  const code = block('retry/README.md', 'http');
  expect(code).toContain("from '@bulwark/http'");
  mkdirSync(out, { recursive: true });
  const file = new URL('retry-readme-http.ts', out);
  writeFileSync(file, `${code}\nexport {};\n`);
  await import(/* @vite-ignore */ file.href);
});
