// `npm run check`: what CI checks besides the tests.
// 1. Boundaries: a feature package imports no other feature package (only @bulwark/core), and no
//    library imports tsyringe or reflect-metadata (DI is the app's choice). The one exception is a
//    subpath listed in SUBPATH_PEERS (@bulwark/http/standard on retry and breaker, optional peers),
//    and nothing outside that subpath's folder may import it.
// 2. Package shape: every publishable package passes `publint --strict` and `attw --pack`.
// 3. No credential-shaped string is committed (the scanner of @bulwark/secrets; mark fixtures with
//    `bulwark-allow-secret`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const problems = [];
const FORBIDDEN_IN_LIBRARIES = ['tsyringe', 'reflect-metadata'];
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
  if (!existsSync(join(dir, 'src'))) continue;
  for (const file of files(join(dir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const isTest = /\.(test|test-d|bench)\.ts$/.test(file);
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const root = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
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
}
console.log(`check: boundaries of ${packages.length} package(s) ${problems.length === 0 ? 'hold' : 'are broken'}.`);

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
  console.log(`check: ${manifest.name}: publint ${publint.status === 0 ? 'ok' : 'FAILED'}, attw ${attw.status === 0 ? 'ok' : 'FAILED'}`);
}

const scan = spawnSync(process.execPath, [join('packages', 'secrets', 'dist', 'bin.js'), 'scan'], { stdio: 'inherit' });
if (scan.status !== 0) problems.push('the credential scan found committed secrets, or could not run (see above).');

if (problems.length > 0) {
  console.error(`\ncheck: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('check: all good.');
