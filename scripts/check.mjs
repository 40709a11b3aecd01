// `npm run check`: what CI checks besides the tests.
// 1. Boundaries: a feature package imports no other feature package (only @bulwark/core), no
//    library imports tsyringe or reflect-metadata (DI is the app's choice), and a standalone app
//    (the upstream simulator) imports no Bulwark package at run time. The one exception is a
//    subpath listed in SUBPATH_PEERS (@bulwark/http/standard on retry and breaker, optional peers),
//    and nothing outside that subpath's folder may import it.
// 2. Package shape: every publishable package passes `publint --strict` and `attw --pack`.
// 3. Published files: each tarball (as pnpm packs it) holds no tests, benchmarks or build info.
// 4. One version spec per dependency across the workspace (sherif); no unused files, exports or
//    dependencies (knip).
// 5. The built declarations and the type tests compile in a user's project: plain `strict` and the
//    `tsc --init` defaults, with TypeScript 7 and 5.9 (tools/consumer-types).
// 6. No credential-shaped string is committed (the scanner of @bulwark/secrets; mark fixtures with
//    `bulwark-allow-secret`).
// 7. Every changeset names packages of the workspace, and none mixes a private package with a
//    published one (`changeset version` refuses such a file, and the release would stop there).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pnpmPackJson } from './pnpm-pack-json.mjs';

const problems = [];
const FORBIDDEN_IN_LIBRARIES = ['tsyringe', 'reflect-metadata'];
// Never in a tarball: tests, type tests, benchmarks, test folders, build info.
const NOT_PUBLISHED = /(\.(test|test-d|bench|property\.test)\.[cm]?[jt]s$)|(^|\/)(test|bench|__tests__)\/|\.tsbuildinfo$/;
// ...except a service template's own tests, shipped on purpose for the new service.
const SHIPS_TESTS_UNDER = { '@bulwark/create-app': 'template/' };
// The one sanctioned exception to "core only": a subpath of a package may use feature packages that
// are optional peers of that package, from its own folder alone, so the main entry stays small.
const SUBPATH_PEERS = {
  '@bulwark/http': { dir: join('src', 'standard'), peers: ['@bulwark/retry', '@bulwark/breaker'] },
};

const packages = readdirSync('packages')
  .map((dir) => join('packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')));

function* files(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|mts|js|mjs)$/.test(entry)) yield path;
  }
}

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

/** Every import of every source file under `dir/src`: the file, the specifier, its package root, and whether the file is a test. */
function* importsIn(dir) {
  if (!existsSync(join(dir, 'src'))) return;
  for (const file of files(join(dir, 'src'))) {
    const isTest = /\.(test|test-d|bench)\.ts$/.test(file);
    // A comment block is documentation, not an import: JSDoc @example blocks import other packages.
    const code = readFileSync(file, 'utf8').replace(/^\s*\/\*[\s\S]*?\*\//gm, '');
    for (const m of code.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const root = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      yield { file, spec, root, isTest };
    }
  }
}

for (const dir of packages) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const name = manifest.name;
  const allowed = name === '@bulwark/core' ? [] : ['@bulwark/core'];
  const subpath = SUBPATH_PEERS[name];
  const optionalPeer = (dep) =>
    subpath?.peers.includes(dep) && manifest.peerDependencies?.[dep] !== undefined && manifest.peerDependenciesMeta?.[dep]?.optional === true && manifest.dependencies?.[dep] === undefined;
  const deps = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
  for (const dep of Object.keys(deps)) {
    if (dep.startsWith('@bulwark/') && !allowed.includes(dep) && !optionalPeer(dep)) {
      problems.push(`${name}: depends on ${dep}; feature packages may depend on @bulwark/core only${subpath ? ` (and ${subpath.peers.join(', ')} as optional peers)` : ''}.`);
    }
    if (FORBIDDEN_IN_LIBRARIES.includes(dep)) problems.push(`${name}: depends on ${dep}; libraries stay free of DI frameworks.`);
  }
  for (const { file, spec, root, isTest } of importsIn(dir)) {
    if (FORBIDDEN_IN_LIBRARIES.includes(root)) problems.push(`${file}: imports ${spec}; libraries stay free of DI frameworks.`);
    if (subpath !== undefined && spec.startsWith('.') && !file.startsWith(join(dir, subpath.dir) + '/')) {
      const target = resolve(dirname(file), spec);
      if (target.startsWith(resolve(dir, subpath.dir) + '/')) problems.push(`${file}: imports ${spec}; only ${join(dir, subpath.dir)} may load the subpath that uses ${subpath.peers.join(', ')}.`);
    }
    const inSubpath = subpath !== undefined && file.startsWith(join(dir, subpath.dir) + '/') && subpath.peers.includes(root);
    if (root.startsWith('@bulwark/') && root !== name && !allowed.includes(root) && !inSubpath && !(isTest && root === '@bulwark/test-utils')) {
      problems.push(`${file}: imports ${spec}; a feature package may import only @bulwark/core${subpath ? ` (${subpath.peers.join(', ')} only from ${join(dir, subpath.dir)})` : ''}.`);
    }
  }
}

// Apps that stand alone: no Bulwark package at run time, so the simulator stands in for someone else's
// service honestly. Their tests may use any package, as a devDependency.
const STANDALONE_APPS = ['apps/upstream-simulator'];
for (const dir of STANDALONE_APPS) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
  for (const dep of Object.keys(deps)) {
    if (dep.startsWith('@bulwark/')) problems.push(`${manifest.name}: depends on ${dep}; a standalone app uses Bulwark packages in its tests only (devDependencies).`);
  }
  for (const { file, spec, root, isTest } of importsIn(dir)) {
    const reachesIn = root.startsWith('@bulwark/') || (spec.startsWith('.') && /(^|\/)(packages|tools)\//.test(spec));
    if (reachesIn && !isTest) problems.push(`${file}: imports ${spec}; a standalone app imports no Bulwark package outside its tests.`);
  }
}
console.log(`check: boundaries of ${packages.length} package(s) and ${STANDALONE_APPS.length} standalone app(s) ${problems.length === 0 ? 'hold' : 'are broken'}.`);

const bin = (name) => join('node_modules', '.bin', name);
const lint = spawnSync(bin('oxlint'), ['--deny-warnings', 'packages', 'tools', 'scripts', 'apps'], { stdio: 'inherit' });
if (lint.status !== 0) problems.push('oxlint found problems (see above).');
if ((spawnSync('tsc', ['-b'], { stdio: 'inherit' }).status ?? 1) !== 0) problems.push('tsc -b failed.');
for (const dir of packages) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  const publint = spawnSync(bin('publint'), ['--strict', dir], { encoding: 'utf8' });
  if (publint.status !== 0) problems.push(`${manifest.name}: publint --strict failed:\n${publint.stdout}${publint.stderr}`);
  const attw = spawnSync(bin('attw'), ['--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped'], { encoding: 'utf8' });
  if (attw.status !== 0) problems.push(`${manifest.name}: attw --pack failed:\n${attw.stdout}${attw.stderr}`);
  const packed = spawnSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8' });
  let shipped = [];
  try {
    shipped = pnpmPackJson(packed.stdout).files.map((f) => f.path);
  } catch {
    problems.push(`${manifest.name}: could not list the packed files:\n${packed.stdout}${packed.stderr}`);
  }
  const stray = shipped.filter((path) => NOT_PUBLISHED.test(path) && !path.startsWith(SHIPS_TESTS_UNDER[manifest.name] ?? '\0'));
  if (stray.length > 0) problems.push(`${manifest.name}: the tarball would ship ${stray.join(', ')}; fix "files" in package.json.`);
  console.log(`check: ${manifest.name}: publint ${publint.status === 0 ? 'ok' : 'FAILED'}, attw ${attw.status === 0 ? 'ok' : 'FAILED'}, ${shipped.length} files packed${stray.length > 0 ? ' (with stray files)' : ''}`);
}

if (spawnSync(bin('sherif'), [], { stdio: 'inherit' }).status !== 0) problems.push('sherif found dependency specs that disagree (see above).');
if (spawnSync(bin('knip'), ['--no-progress'], { stdio: 'inherit' }).status !== 0) problems.push('knip found unused files, exports or dependencies (see above).');
const consumerTypes = spawnSync(process.execPath, [join('tools', 'consumer-types', 'check.mjs')], { stdio: 'inherit' });
if (consumerTypes.status !== 0) problems.push('the declarations or type tests do not compile under a consumer\'s settings (see above).');

const scan = spawnSync(process.execPath, [join('packages', 'secrets', 'dist', 'bin.js'), 'scan'], { stdio: 'inherit' });
if (scan.status !== 0) problems.push('the credential scan found committed secrets, or could not run (see above).');

const workspace = new Map();
for (const parent of ['packages', 'apps', 'tools']) {
  for (const dir of readdirSync(parent)) {
    const path = join(parent, dir, 'package.json');
    if (existsSync(path)) {
      const manifest = JSON.parse(readFileSync(path, 'utf8'));
      workspace.set(manifest.name, manifest.private === true);
    }
  }
}
const changesets = readdirSync('.changeset').filter((file) => file.endsWith('.md') && file !== 'README.md');
for (const file of changesets) {
  const front = /^---\r?\n([\s\S]*?)\r?\n?---/.exec(readFileSync(join('.changeset', file), 'utf8'))?.[1] ?? '';
  const names = [...front.matchAll(/^\s*['"]?([^'":\s]+)['"]?\s*:\s*(?:major|minor|patch)\s*$/gm)].map((m) => m[1]);
  const unknown = names.filter((name) => !workspace.has(name));
  if (unknown.length > 0) problems.push(`.changeset/${file} names ${unknown.join(', ')}, which no package of the workspace is.`);
  if (new Set(names.filter((name) => workspace.has(name)).map((name) => workspace.get(name))).size > 1) {
    problems.push(`.changeset/${file} mixes private and published packages, which \`changeset version\` refuses: one file for each.`);
  }
}
console.log(`check: ${changesets.length} changesets read.`);

if (problems.length > 0) {
  console.error(`\ncheck: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('check: all good.');
