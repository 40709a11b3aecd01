// Type-checks what a user's TypeScript sees of every package: the built declarations (`dist`,
// through each package's `exports`, as an installed package resolves) and the packages' type tests
// (`src/*.test-d.ts`, importing the package by name), under the settings users have rather than the
// repository's own:
// - plain `strict` (no exactOptionalPropertyTypes, no noUncheckedIndexedAccess), target ES2022 and
//   no `types`, so nothing the declarations use may come from @types/node unless they say so; with
//   skipLibCheck off for the declarations (so they are checked themselves) and on for the type tests
//   (whose imports, vitest and redis among them, are not ours to check);
// - the tsconfig that `tsc --init` writes, as it writes it;
// each with TypeScript 7 (the repository's) and TypeScript 5.9 (this folder's).
// Each package's declarations compile in a program of their own, so that one package loading
// @types/node cannot hide another's need of it. Run after `tsc -b` (npm run check does);
// CONSUMER_TYPES_TIMES=1 prints how long each program took.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const work = join(here, 'node_modules', '.work');
const packages = readdirSync(join(root, 'packages')).filter((name) =>
  JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).private !== true,
);

const compilers = [
  { name: 'TypeScript 7', tsc: join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc') },
  { name: 'TypeScript 5.9', tsc: join(dirname(createRequire(join(here, 'package.json')).resolve('typescript-5.9/package.json')), 'bin', 'tsc') },
];

// skipDefaultLibCheck only skips TypeScript's own lib files (which have no errors), for speed.
const plainStrict = (skipLibCheck) =>
  `${JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', types: [], skipLibCheck, skipDefaultLibCheck: true, noEmit: true } }, null, 2)}\n`;

/** The tsconfig that `tsc --init` of `tsc` writes, as text. */
function initConfig(tsc) {
  const folder = join(work, 'init');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const made = spawnSync(process.execPath, [tsc, '--init'], { cwd: folder, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`tsc --init failed:\n${made.stdout}${made.stderr}`);
  return readFileSync(join(folder, 'tsconfig.json'), 'utf8');
}

/** One program: a folder holding `files` and `tsconfig`. */
function prepare(folder, tsconfig, files) {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(join(folder, 'tsconfig.json'), tsconfig);
  for (const [name, text] of files) writeFileSync(join(folder, name), text);
}

const run = (tsc, folder) =>
  new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [tsc, '-p', folder, '--noEmit'], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out, ms: performance.now() - started }));
  });

// The type tests, importing the package by name instead of `./index.js`.
const typeTests = packages.flatMap((name) =>
  readdirSync(join(root, 'packages', name, 'src'))
    .filter((file) => file.endsWith('.test-d.ts'))
    .map((file) => [
      `${name}.${file.replace(/\.test-d\.ts$/, '.ts')}`,
      readFileSync(join(root, 'packages', name, 'src', file), 'utf8').replaceAll(/from '\.\/index\.js'/g, `from '@bulwark/${name}'`),
    ]),
);

const jobs = [];
for (const compiler of compilers) {
  const init = initConfig(compiler.tsc);
  const configs = [
    ['plain strict', plainStrict(false), plainStrict(true)],
    ['tsc --init', init, init],
  ];
  for (const [configName, tsconfig, typeTestsConfig] of configs) {
    const slug = `${compiler.name}-${configName}`.replaceAll(/[^a-z0-9.]+/gi, '-');
    for (const name of packages) {
      const folder = join(work, slug, `declarations-${name}`);
      prepare(folder, tsconfig, [['consumer.ts', `import * as api from '@bulwark/${name}';\nexport const surface: typeof api = api;\n`]]);
      jobs.push({ what: `${compiler.name}, ${configName}: @bulwark/${name} declarations`, tsc: compiler.tsc, folder });
    }
    const folder = join(work, slug, 'type-tests');
    prepare(folder, typeTestsConfig, typeTests);
    jobs.push({ what: `${compiler.name}, ${configName}: type tests (${typeTests.map(([f]) => f).join(', ')})`, tsc: compiler.tsc, folder });
  }
}

// Two at a time: the machines running this have two cores.
const failures = [];
const queue = [...jobs];
await Promise.all(
  [0, 1].map(async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const { code, out, ms } = await run(job.tsc, job.folder);
      if (process.env.CONSUMER_TYPES_TIMES) console.log(`${Math.round(ms)} ms  ${job.what}`);
      if (code !== 0) failures.push(`${job.what}:\n${out}`);
    }
  }),
);
rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`consumer-types: ${failures.length} of ${jobs.length} program(s) failed to compile:\n\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`consumer-types: ${jobs.length} programs compile (${compilers.map((c) => c.name).join(' and ')}; plain strict and tsc --init).`);
