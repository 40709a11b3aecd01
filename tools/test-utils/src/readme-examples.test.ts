// Runs every example fenced as ```ts test in a package README, so the examples cannot rot.
// Each block is written beside its package (so imports resolve as they would for a user of it)
// and imported through vitest; a block asserts its own results (node:assert).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fence = /^```ts test\s*\n([\s\S]*?)^```\s*$/gm;

// Every package README must have a tested example; an app's examples are run when it has some.
const readmes = ['packages', 'apps']
  .filter((parent) => existsSync(join(root, parent)))
  .flatMap((parent) => readdirSync(join(root, parent)).map((name) => ({ name: `${parent}/${name}`, dir: join(root, parent, name), required: parent === 'packages' })))
  .filter(({ dir }) => existsSync(join(dir, 'README.md')));

const written: string[] = [];
afterAll(() => {
  for (const dir of written) rmSync(dir, { recursive: true, force: true });
});

describe('README examples', () => {
  test('every package has a README with at least one tested example', () => {
    for (const { name, dir } of readmes.filter((r) => r.required)) {
      const blocks = [...readFileSync(join(dir, 'README.md'), 'utf8').matchAll(fence)];
      expect(blocks.length, `${name}/README.md has no \`\`\`ts test block`).toBeGreaterThan(0);
    }
  });

  for (const { name, dir } of readmes) {
    const blocks = [...readFileSync(join(dir, 'README.md'), 'utf8').matchAll(fence)].map((m) => m[1]!);
    blocks.forEach((code, i) => {
      test(`${name}/README.md example ${i + 1}`, async () => {
        const out = join(dir, '.readme-examples');
        mkdirSync(out, { recursive: true });
        written.push(out);
        const file = join(out, `example-${i + 1}.ts`);
        writeFileSync(file, `${code}\nexport {};\n`);
        await import(/* @vite-ignore */ file);
      });
    });
  }
});
