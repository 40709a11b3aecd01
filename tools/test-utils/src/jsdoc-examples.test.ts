// Every JSDoc @example in the packages' sources (tests excluded) is type-checked as a user's module:
// the ```ts block of each @example is written to a file beside the integration tests (so packages
// resolve through their exports to their builds, as in a user's project) and checked under plain
// `strict` in one tsc run, with the machinery of the README runner.
//
// The rules for an example:
// - It is a ```ts block. Names the package's entry exports (the entry whose source folder holds the
//   documented file: `@bulwark/http/standard` for src/standard/) may be used without an import, as the
//   reader sees them beside the declaration; the checker imports the ones the block names. Anything
//   else is imported or declared in the block (`declare const url: URL;` for context it assumes).
// - A block that is deliberately not a program (a method body, a shape) is fenced ```ts fragment.
// They are type-checked, not run: many call a real upstream or Redis.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot as root, typeCheckStrict } from './doc-examples.js';

const home = join(root, 'tools', 'integration', '.jsdoc-examples');
const FENCE = /^```(ts[^\n]*)\n([\s\S]*?)^```\s*$/gm;
const NOT_PUBLISHED = /\.(test|test-d|bench)\.ts$/;

interface Entry {
  /** What a user imports: `@bulwark/http` or `@bulwark/http/standard`. */
  readonly specifier: string;
  /** The folder of the entry's source file. */
  readonly dir: string;
  /** The names the entry exports, values and types. */
  readonly names: ReadonlySet<string>;
}

interface Example {
  readonly name: string;
  readonly file: string;
  readonly code: string;
  /** Why the block cannot be checked, when it cannot. */
  readonly problem?: string;
}

/** The names an entry file exports through `export { … } from` and `export type { … } from` lists. */
function exportedNames(source: string): Set<string> {
  const names = new Set<string>();
  for (const [, list] of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of list!.split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  return names;
}

function entriesOf(packageDir: string): { name: string; entries: Entry[] } {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | null | Record<string, string>>;
  };
  const entries: Entry[] = [];
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const source = typeof target === 'object' && target !== null ? target['@bulwark/source'] : undefined;
    if (source === undefined) continue;
    const file = join(packageDir, source);
    entries.push({ specifier: manifest.name + subpath.slice(1), dir: dirname(file), names: exportedNames(readFileSync(file, 'utf8')) });
  }
  // The most specific entry first: src/standard/ belongs to ./standard, not to the main entry.
  entries.sort((a, b) => b.dir.length - a.dir.length);
  return { name: manifest.name, entries };
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (entry.endsWith('.ts') && !NOT_PUBLISHED.test(entry)) yield path;
  }
}

/** The text of each @example tag in a file's JSDoc comments, without the comment's `*` margin. */
function* exampleTags(source: string): Generator<string> {
  for (const [, body] of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const text = body!.split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n');
    for (const tag of text.split(/^@example\b/m).slice(1)) yield tag.split(/^@\w/m)[0]!;
  }
}

/** The identifiers a block uses that it does not declare or import itself. */
function namesUsed(code: string, candidates: ReadonlySet<string>): string[] {
  const withoutStrings = code.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''").replace(/\/\/.*$/gm, '');
  const declared = new Set<string>();
  for (const [, names] of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of names!.split(',')) declared.add(item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim());
  }
  for (const [, name] of code.matchAll(/(?:const|let|var|function|class|interface|type)\s+([A-Za-z_$][\w$]*)/g)) declared.add(name!);
  return [...candidates].filter((name) => !declared.has(name) && new RegExp(`(?<![.\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(withoutStrings)).sort();
}

const examples: Example[] = [];
const packagesDir = join(root, 'packages');
for (const dir of readdirSync(packagesDir).map((d) => join(packagesDir, d))) {
  if (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) continue;
  const { entries } = entriesOf(dir);
  for (const file of sources(join(dir, 'src'))) {
    const entry = entries.find((e) => file.startsWith(e.dir + sep));
    if (entry === undefined) continue; // not reachable from any entry: nothing to document
    let n = 0;
    for (const tag of exampleTags(readFileSync(file, 'utf8'))) {
      n++;
      const where = `${relative(root, file)} @example ${n}`;
      const blocks = [...tag.matchAll(FENCE)];
      if (blocks.length === 0) {
        examples.push({ name: where, file: '', code: '', problem: 'an @example holds a ```ts block (or ```ts fragment)' });
        continue;
      }
      blocks.forEach(([, info, code], i) => {
        if (info!.trim().split(/\s+/).includes('fragment')) return;
        const used = namesUsed(code!, entry.names);
        const imports = used.length > 0 ? `import { ${used.join(', ')} } from '${entry.specifier}';\n` : '';
        const stem = relative(packagesDir, file).replace(/\.ts$/, '').replace(/[\\/]/g, '-');
        examples.push({ name: blocks.length > 1 ? `${where}, block ${i + 1}` : where, file: join(home, `${stem}-${n}-${i + 1}.ts`), code: imports + code! });
      });
    }
  }
}

let typeErrors = new Map<string, string[]>();

beforeAll(() => {
  typeErrors = typeCheckStrict(home, examples.filter((e) => e.problem === undefined));
}, 120_000);

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('JSDoc @example blocks', () => {
  test('the packages have examples to check', () => {
    expect(examples.length).toBeGreaterThan(50);
  });

  for (const example of examples) {
    test(example.name, () => {
      expect(example.problem).toBeUndefined();
      expect(typeErrors.get(example.file) ?? [], `type errors in ${example.name}:\n${example.code}`).toEqual([]);
    });
  }
});
