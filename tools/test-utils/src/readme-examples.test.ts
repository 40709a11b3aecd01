// The one runner of every example in the docs: each ```ts block of a README (the root's, each
// package's, app's and tool's) or a page under docs/ is a program a user could paste. It is written to a
// file beside its package (so imports resolve as they would for a user: through the package's
// exports to its build), type-checked with a plain `strict` tsconfig, and run as a plain script on
// the oldest Node the packages support (their engines floor, from tools/node-min). It must assert
// what it claims with node:assert and exit 0. A block that is not a program (a signature, a
// fragment of a larger example) is fenced ```ts fragment and is neither checked nor run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot as root, typeCheckStrict } from './doc-examples.js';

const FENCE = /^```(ts[^\n]*)\n([\s\S]*?)^```\s*$/gm;
const ASSERTS = /from ['"]node:assert(?:\/strict)?['"]/;
const NODE_MIN = join(root, 'tools', 'node-min', 'node_modules', 'node-22', 'bin', 'node');
const RUN_TIMEOUT_MS = 60_000;

/** The markdown files whose examples run, relative to the repo root. */
const docs: string[] = [];
const dirsOf = (parent: string): string[] =>
  existsSync(join(root, parent)) ? readdirSync(join(root, parent)).map((name) => join(parent, name)) : [];
for (const dir of [...dirsOf('packages'), ...dirsOf('apps'), ...dirsOf('tools')]) {
  if (existsSync(join(root, dir, 'README.md'))) docs.push(join(dir, 'README.md'));
}
docs.push('README.md');
for (const page of existsSync(join(root, 'docs')) ? readdirSync(join(root, 'docs')) : []) {
  if (page.endsWith('.md')) docs.push(join('docs', page));
}
// Every example is written beside the integration tests, which depend on every package: imports
// resolve as in a user's project (node_modules, the package's exports, its build), and an example
// in one package's README may use another package, as users do.
const home = join(root, 'tools', 'integration', '.readme-examples');

interface Example {
  readonly name: string;
  readonly file: string;
  readonly code: string;
}

const examples: Example[] = [];
for (const doc of docs) {
  let n = 0;
  for (const [, info, code] of readFileSync(join(root, doc), 'utf8').matchAll(FENCE)) {
    const words = info!.trim().split(/\s+/);
    if (words[0] !== 'ts' || words.includes('fragment')) continue;
    n++;
    const stem = doc.replace(/\.md$/, '').replace(/[\\/]/g, '-').toLowerCase();
    examples.push({
      name: `${doc} example ${n}`,
      file: join(home, `${stem}-${n}.ts`),
      code: code!,
    });
  }
}

let typeErrors = new Map<string, string[]>();

beforeAll(() => {
  typeErrors = typeCheckStrict(home, examples);
}, 120_000);

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

function runOnOldestNode(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE_MIN, [file], { cwd: join(file, '..'), env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: `could not start ${NODE_MIN}: ${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('documentation examples', () => {
  test('the examples run on the oldest Node every package supports (tools/node-min)', () => {
    const [major, minor] = spawnSync(NODE_MIN, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '').split('.');
    for (const dir of dirsOf('packages')) {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { engines?: { node?: string } };
      expect(manifest.engines?.node, `${dir}/package.json engines.node`).toBe(`>=${major}.${minor}`);
    }
  });

  test('every package README has at least one example', () => {
    for (const doc of docs.filter((d) => d.startsWith('packages'))) {
      expect(examples.some((e) => e.name.startsWith(`${doc} `)), `${doc} has no runnable \`\`\`ts example`).toBe(true);
    }
  });

  test('every package README says the same about its module format', () => {
    const sentence = 'ESM only (no CommonJS build): `import` it, or `require()` it on Node.js 22.19 or newer, its minimum, where Node loads ES modules through `require()`.';
    for (const doc of docs.filter((d) => d.startsWith('packages'))) {
      expect(readFileSync(join(root, doc), 'utf8').replace(/\s+/g, ' '), doc).toContain(sentence);
    }
  });

  // The examples are checked here with `types: ['node']`; a user's project gets Node's types only when
  // it installs them and, from TypeScript 6 on, names them (`types` defaults to none).
  test('every package README whose examples import node: modules says how to get Node\'s types', () => {
    for (const doc of docs.filter((d) => d.startsWith('packages'))) {
      const text = readFileSync(join(root, doc), 'utf8');
      const usesNode = [...text.matchAll(FENCE)].some(([, info, code]) => info!.startsWith('ts') && /from ['"]node:/.test(code!));
      if (!usesNode) continue;
      expect(text, `${doc}: install line for Node's types`).toMatch(/^npm install -D @types\/node$/m);
      expect(text.replace(/\s+/g, ' '), `${doc}: how to name Node's types in tsconfig.json`).toContain('`"compilerOptions": { "types": ["node"] }`');
    }
  });

  test('every package README installs every package its examples import', () => {
    for (const doc of docs.filter((d) => d.startsWith('packages'))) {
      const text = readFileSync(join(root, doc), 'utf8');
      const installed = new Set([...text.matchAll(/^npm install (.+)$/gm)].flatMap(([, list]) => list!.trim().split(/\s+/)));
      const imported = new Set<string>();
      for (const [, info, code] of text.matchAll(FENCE)) {
        if (!info!.startsWith('ts')) continue;
        for (const [, spec] of code!.matchAll(/from ['"]([^'"]+)['"]/g)) {
          if (spec!.startsWith('node:') || spec!.startsWith('.')) continue;
          imported.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
        }
      }
      expect([...imported].filter((name) => !installed.has(name)), `${doc}: imported by an example, missing from its npm install lines`).toEqual([]);
    }
  });

  for (const example of examples) {
    test(example.name, async () => {
      expect(example.code, 'an example asserts what it claims: import node:assert and use it').toMatch(ASSERTS);
      expect(typeErrors.get(example.file) ?? [], `type errors in ${relative(root, example.file)}`).toEqual([]);
      const { code, output } = await runOnOldestNode(example.file);
      expect(code, `${relative(root, example.file)} exited with ${code}:\n${output}`).toBe(0);
    }, RUN_TIMEOUT_MS + 5_000);
  }
});
