// `npm run footprint`: what installing each publishable package alone brings into a project.
// Packs every package as it would be published (pnpm rewrites `workspace:` ranges), installs each
// one with npm into an empty folder outside the repo (only its tarball and core's; everything else
// from the registry), and counts the packages and bytes that land in node_modules, and the modules
// a bare `import` loads. Then the same install with `--omit=optional`, which leaves out the native
// rollup binary neverthrow 8.1+ declares as an optional dependency (supermacro/neverthrow#602).
// Writes bench/results/footprint.json and prints a table.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pnpmPackJson } from './pnpm-pack-json.mjs';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'bulwark-footprint-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

const tarballOf = new Map();
for (const { dir, manifest } of packages) {
  const out = execFileSync('pnpm', ['pack', '--pack-destination', tarballs, '--json'], { cwd: dir, encoding: 'utf8' });
  tarballOf.set(manifest.name, pnpmPackJson(out).filename);
}

function walk(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += walk(path);
    else if (entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}

/** Every package folder under node_modules (nested ones too). */
function installedPackages(modules) {
  const found = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        visit(path);
        continue;
      }
      found.push(path);
      try {
        if (statSync(join(path, 'node_modules')).isDirectory()) visit(join(path, 'node_modules'));
      } catch {}
    }
  };
  visit(modules);
  return found;
}

/** Installs `manifest`'s package alone into a new folder; returns its node_modules. */
function installAlone(manifest, folder, flags = []) {
  const project = join(work, folder);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'footprint', private: true, type: 'module' }));
  // Internal dependencies come from their tarballs, as if published; the rest from the registry.
  const internal = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@bulwark/'));
  const specs = [...internal, manifest.name].map((name) => tarballOf.get(name));
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...flags, ...specs], { cwd: project, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`npm install ${flags.join(' ')} ${manifest.name} failed:\n${install.stderr}`);
  return join(project, 'node_modules');
}

const rows = [];
for (const { manifest } of packages) {
  const folder = manifest.name.replace('@bulwark/', '');
  const modules = installAlone(manifest, folder);
  const project = join(modules, '..');
  const lean = installAlone(manifest, `${folder}-omit-optional`, ['--omit=optional']);
  const names = installedPackages(modules).map((p) => p.slice(modules.length + 1));
  const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { createRequire } from 'node:module';
    const before = new Set(Object.keys(createRequire(import.meta.url).cache));
    const t = performance.now();
    await import(${JSON.stringify(manifest.name)});
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms }));
  `], { cwd: project, encoding: 'utf8' });
  rows.push({
    package: manifest.name,
    packages: names.length,
    bytes: walk(modules),
    installed: names.filter((n) => !n.startsWith('@bulwark/')).sort(),
    importMs: Math.round(JSON.parse(loaded).ms * 10) / 10,
    omitOptional: { packages: installedPackages(lean).length, bytes: walk(lean) },
  });
}
rmSync(work, { recursive: true, force: true });

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'footprint.json'), `${JSON.stringify({ node: process.versions.node, rows }, null, 2)}\n`);
const kb = (b) => `${(b / 1024).toFixed(0)} kB`;
console.log('| package | packages installed | size on disk | with --omit=optional | first import | third-party packages |');
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) {
  console.log(`| \`${r.package}\` | ${r.packages} | ${kb(r.bytes)} | ${r.omitOptional.packages}, ${kb(r.omitOptional.bytes)} | ${r.importMs} ms | ${r.installed.join(', ') || '—'} |`);
}
