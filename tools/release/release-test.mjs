// `npm run test:release`: the release, rehearsed against a real registry.
//
// 1. A throwaway verdaccio (a child process on a free loopback port, its storage in a temp folder):
//    @bulwark/* resolve only there; other packages are proxied from registry.npmjs.org.
// 2. A copy of the repository in a temp folder (the checkout stays clean): `changeset version` with a
//    generated changeset, then `changeset publish` (through pnpm, so `workspace:` ranges become
//    `^x.y.z`), with a throwaway token and provenance off.
// 3. For each public package, alone, in a folder outside the repository: `npm install @bulwark/<name>`,
//    its dependency set checked against DESIGN.md, its README's Usage example run with Node and
//    type-checked with tsc under a plain strict tsconfig.
// 4. `npm create @bulwark/app` from the registry: installed, built and tested.
// 5. A second release after one changeset on @bulwark/breaker: only it and its dependents move.
// 6. Rollback: a broken patch of @bulwark/retry published, deprecated, fixed; a fresh install gets the fix.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const NODE = process.execPath;
const TSC = join(repo, 'node_modules', '.bin', 'tsc');
// README examples run on the oldest Node the packages support (tools/node-min), as in the repository's own test.
const NODE_MIN = join(repo, 'tools', 'node-min', 'node_modules', 'node-22', 'bin', 'node');
const EXAMPLE_NODE = existsSync(NODE_MIN) ? NODE_MIN : NODE;
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'bulwark-release-'));
const copy = join(work, 'repo');
let registry; // { url, pid, child }

// ── output ───────────────────────────────────────────────────────────────────────────────────────
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
let stepStarted = Date.now();
function step(title) {
  stepStarted = Date.now();
  console.log(`\nrelease: ── ${title}`);
}
const ok = (message) => console.log(`release:   ✓ ${message}`);
const info = (message) => console.log(`release:     ${message}`);
const done = () => info(`(${seconds(stepStarted)})`);
class Failure extends Error {}
function expect(condition, message) {
  if (!condition) throw new Failure(message);
}

// ── processes ────────────────────────────────────────────────────────────────────────────────────
let env = { ...process.env, CI: 'true', NO_COLOR: '1', NX_DAEMON: 'false' };
const tail = (text, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

/** Runs `command args` in `cwd`; resolves with its output, throws (with the output's tail) on a non-zero exit. */
function run(command, args, { cwd, allowFailure = false, timeoutMs = 300_000, extraEnv = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr, output: `${stdout}${stderr}` };
      if (code === 0 || allowFailure) resolve(result);
      else reject(new Failure(`\`${command} ${args.join(' ')}\` in ${cwd} ${signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs} ms` : ''})` : `exited with ${code}`}:\n${tail(result.output)}`));
    });
  });
}
const npm = (args, options) => run('npm', args, options);
const pnpm = (args, options) => run('pnpm', args, options);
const changeset = (args, options) => run(join(copy, 'node_modules', '.bin', 'changeset'), args, { cwd: copy, ...options });

/** Runs `fn` over `items`, `limit` at a time (the machine has two cores). */
async function eachLimited(items, limit, fn) {
  const results = Array.from({ length: items.length });
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }));
  return results;
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

// ── the registry ─────────────────────────────────────────────────────────────────────────────────
async function startRegistry() {
  const dir = join(work, 'verdaccio');
  mkdirSync(dir);
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({
    self_path: configPath,
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    uplinks: { npmjs: { url: 'https://registry.npmjs.org/', timeout: '60s' } },
    packages: {
      // Ours only from here, never from the uplink.
      '@bulwark/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all', publish: '$authenticated', proxy: 'npmjs' },
    },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
    web: { enable: false },
  }));
  const child = spawn(NODE, [fileURLToPath(new URL('./verdaccio-server.mjs', import.meta.url)), configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Failure(`verdaccio did not listen within 30 s:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.startsWith('{"port"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.once('exit', (code) => reject(new Failure(`verdaccio exited with ${code} before listening:\n${output}`)));
  });
  registry = { url: `http://127.0.0.1:${port}/`, pid: child.pid, child };

  // A throwaway user; its token goes in a temporary npm user config, never in the repository.
  const response = await fetch(`${registry.url}-/user/org.couchdb.user:release-test`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release-test', password: `pw-${Date.now()}-${Math.random()}` }),
  });
  const { token } = await response.json();
  expect(response.status === 201 && typeof token === 'string', `verdaccio refused the throwaway user: ${response.status}`);
  const userconfig = join(work, 'npmrc');
  writeFileSync(userconfig, [`registry=${registry.url}`, `//127.0.0.1:${port}/:_authToken=${token}`, 'fund=false', 'audit=false', 'update-notifier=false', ''].join('\n'), { mode: 0o600 });
  env = {
    ...env,
    npm_config_registry: registry.url,
    npm_config_userconfig: userconfig,
    NPM_CONFIG_PROVENANCE: 'false',
    // Packuments come from this registry, never from a cache of an earlier run.
    npm_config_prefer_online: 'true',
    // `npm create` installs the scaffolder without asking.
    npm_config_yes: 'true',
  };
}

function stopRegistry() {
  if (registry === undefined) return;
  try {
    process.kill(registry.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  registry = undefined;
}

// ── the repository copy ──────────────────────────────────────────────────────────────────────────
/** The public packages of the copy: name, folder, version. */
function publicPackages() {
  return readdirSync(join(copy, 'packages'))
    .map((dir) => join(copy, 'packages', dir))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readJson(join(dir, 'package.json')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, version: manifest.version }));
}
const versions = () => Object.fromEntries(publicPackages().map((p) => [p.name, p.version]));

async function copyRepository() {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo });
  let files = 0;
  for (const file of listed.stdout.split('\0')) {
    if (file === '' || !existsSync(join(repo, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repo, file), join(copy, file));
    files++;
  }
  await run('git', ['init', '-q', '-b', 'main'], { cwd: copy });
  await commit('the repository as it is');
  return files;
}
const commit = (message) => run('git', ['-c', 'user.name=release-test', '-c', 'user.email=release-test@localhost', '-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-am', message], { cwd: copy }).then(() => undefined);
async function commitAll(message) {
  await run('git', ['add', '-A'], { cwd: copy });
  await commit(message);
}

function writeChangeset(id, bumps, summary) {
  const header = Object.entries(bumps).map(([name, bump]) => `'${name}': ${bump}`).join('\n');
  writeFileSync(join(copy, '.changeset', `${id}.md`), `---\n${header}\n---\n\n${summary}\n`);
}

/** `changeset version` then commit; returns the versions before and after. */
async function version(message) {
  const before = versions();
  await changeset(['version']);
  await commitAll(message);
  return { before, after: versions() };
}

/** `changeset publish` (pnpm publish underneath); returns the output. */
async function publish() {
  const result = await changeset(['publish']);
  return result.output;
}

const view = async (spec, field) => {
  const result = await npm(['view', spec, ...(field ? [field] : []), '--json'], { cwd: work });
  return result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout);
};

// ── consumers ────────────────────────────────────────────────────────────────────────────────────
/** Every installed package in `dir`'s node_modules (nested ones too). */
function installed(dir) {
  const found = new Set();
  const walk = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of names) {
        found.add(name);
        walk(join(modules, name, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

/** The first ```ts block (not a fragment) under the README's "## Usage" heading. */
function usageExample(readme) {
  const usage = readme.slice(Math.max(0, readme.search(/^## Usage\b/m)));
  const match = /^```ts[ \t]*\n([\s\S]*?)^```/m.exec(usage);
  return match?.[1];
}
const bareImports = (code) => [...code.matchAll(/(?:from|import)\s*['"]([^'"./][^'"]*)['"]/g)]
  .map((m) => m[1])
  .filter((spec) => !spec.startsWith('node:'))
  .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]));

// What DESIGN.md promises a lone install brings, and must not bring.
const REDIS = ['redis', '@redis/client'];
const FORBIDDEN = {
  '@bulwark/retry': ['winston', 'keyv', ...REDIS, '@bulwark/breaker', '@bulwark/cache'],
  '@bulwark/cache': ['keyv', '@keyv/redis', ...REDIS, 'winston'],
  '@bulwark/breaker': [...REDIS, 'winston', 'keyv'],
  '@bulwark/ratelimit': [...REDIS, 'winston', 'keyv'],
  '@bulwark/core': [...REDIS, 'winston', 'keyv', 'cockatiel'],
  '@bulwark/secrets': [...REDIS, 'winston', 'keyv'],
  '@bulwark/telemetry': [...REDIS, 'winston', 'keyv'],
  '@bulwark/logging': [...REDIS, 'keyv'],
  '@bulwark/http': [...REDIS, 'winston', 'keyv', '@bulwark/retry', '@bulwark/breaker'],
  '@bulwark/create-app': ['@bulwark/core', 'fastify', ...REDIS],
};

async function checkConsumer(pkg) {
  const dir = join(work, 'consumers', pkg.name.replace('@bulwark/', ''));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  const t0 = Date.now();
  await npm(['install', pkg.name], { cwd: dir });
  const set = installed(dir);
  const brought = [...set].sort();
  const forbidden = (FORBIDDEN[pkg.name] ?? REDIS).filter((name) => set.has(name));
  expect(forbidden.length === 0, `${pkg.name} alone installed ${forbidden.join(', ')} (DESIGN.md: it must not). It installed: ${brought.join(', ')}`);
  const manifest = readJson(join(dir, 'node_modules', pkg.name, 'package.json'));
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!name.startsWith('@bulwark/')) continue;
      expect(/^\^\d+\.\d+\.\d+$/.test(range), `${pkg.name}@${manifest.version} publishes ${field}.${name} as ${JSON.stringify(range)}, not ^x.y.z`);
    }
  }

  const code = usageExample(readFileSync(join(dir, 'node_modules', pkg.name, 'README.md'), 'utf8'));
  expect(code !== undefined, `${pkg.name}: its README has no \`\`\`ts block under "## Usage"`);
  // What the example imports beside the package (a peer such as @opentelemetry/api), and Node's types for tsc.
  const extra = [...new Set(bareImports(code))].filter((name) => !set.has(name));
  await npm(['install', '--no-save', ...extra, `@types/node@${readJson(join(repo, 'package.json')).devDependencies['@types/node']}`], { cwd: dir });
  writeFileSync(join(dir, 'usage.ts'), code);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', noEmit: true, types: ['node'] }, files: ['usage.ts'] }, null, 2));
  const typecheck = await run(TSC, ['-p', 'tsconfig.json'], { cwd: dir, allowFailure: true });
  expect(typecheck.code === 0, `${pkg.name}: its Usage example does not type-check under plain strict:\n${tail(typecheck.output)}`);
  const ran = await run(EXAMPLE_NODE, ['usage.ts'], { cwd: dir, allowFailure: true, timeoutMs: 60_000 });
  expect(ran.code === 0, `${pkg.name}: its Usage example exited with ${ran.code}:\n${tail(ran.output)}`);
  const direct = Object.keys(manifest.dependencies ?? {}).join(', ') || 'none';
  const absent = FORBIDDEN[pkg.name] ?? REDIS;
  return `${pkg.name}@${manifest.version}: ${set.size} package${set.size === 1 ? '' : 's'} (deps: ${direct}; none of ${absent.join(', ')}); example type-checks and runs${extra.length > 0 ? ` (with ${extra.join(', ')})` : ''} (${seconds(t0)})`;
}

// ── the steps ────────────────────────────────────────────────────────────────────────────────────
async function main() {
  console.log(`release: working in ${work}`);

  step('1. a throwaway registry');
  await startRegistry();
  ok(`verdaccio on ${registry.url} (pid ${registry.pid}); @bulwark/* local only, others proxied from registry.npmjs.org; a throwaway token`);
  done();

  step('2. a copy of the repository, installed and built');
  const files = await copyRepository();
  ok(`${files} files copied to ${copy} (the checkout is left as it is)`);
  await pnpm(['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'], { cwd: copy });
  await pnpm(['exec', 'tsc', '-b'], { cwd: copy });
  ok('pnpm install --frozen-lockfile, tsc -b');
  done();

  step('3. first release: changeset version, changeset publish');
  const first = publicPackages();
  const pending = readdirSync(join(copy, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md').length;
  writeChangeset('release-test-first', Object.fromEntries(first.map((p) => [p.name, 'patch'])), 'Released by the release test.');
  const v1 = await version('Version packages');
  for (const p of first) {
    expect(v1.after[p.name] !== v1.before[p.name], `${p.name} was not versioned (still ${v1.before[p.name]})`);
    expect(existsSync(join(p.dir, 'CHANGELOG.md')), `${p.name} has no CHANGELOG.md after changeset version`);
  }
  const gateway = readJson(join(copy, 'apps', 'validation-gateway', 'package.json'));
  ok(`${pending} pending changesets and a generated one → ${first.map((p) => `${p.name}@${v1.after[p.name]}`).join(', ')}`);
  info(`private apps and tools are not published (validation-gateway stays ${gateway.version}, private: ${gateway.private})`);
  await publish();
  for (const p of first) {
    expect((await view(`${p.name}@${v1.after[p.name]}`, 'version')) === v1.after[p.name], `${p.name}@${v1.after[p.name]} is not on the registry after changeset publish`);
  }
  expect((await view('@bulwark/validation-gateway', 'version').catch(() => undefined)) === undefined, 'the private gateway reached the registry');
  ok(`${first.length} packages on the registry; the private gateway is not`);
  done();

  step('4. each package alone, outside the repository: install, dependency set, Usage example (tsc strict + node)');
  info(`examples run on ${(await run(EXAMPLE_NODE, ['--version'], { cwd: work })).stdout.trim()}`);
  const lines = await eachLimited(first, 2, checkConsumer);
  for (const line of lines) ok(line);
  done();

  step('5. npm create @bulwark/app, installed, built and tested outside the repository');
  const scaffolds = join(work, 'scaffold');
  mkdirSync(scaffolds);
  const refused = await npm(['create', '@bulwark/app', 'Bad Name'], { cwd: scaffolds, allowFailure: true });
  expect(refused.code !== 0 && /Expected `name` to be a valid npm package name/.test(refused.output) && !existsSync(join(scaffolds, 'Bad Name')), `npm create with a bad name did not refuse cleanly:\n${tail(refused.output)}`);
  ok('a bad name is refused, nothing written');
  const created = await npm(['create', '@bulwark/app', 'my-service'], { cwd: scaffolds });
  const service = join(scaffolds, 'my-service');
  const serviceManifest = readJson(join(service, 'package.json'));
  expect(existsSync(join(service, '.gitignore')) && !existsSync(join(service, 'gitignore')), 'the scaffold has no .gitignore');
  expect(!readFileSync(join(service, 'package.json'), 'utf8').includes('workspace:'), 'the scaffold\'s package.json keeps workspace: ranges');
  expect(serviceManifest.dependencies['@bulwark/core'] === `^${v1.after['@bulwark/core']}`, `the scaffold names @bulwark/core ${serviceManifest.dependencies['@bulwark/core']}, not ^${v1.after['@bulwark/core']}`);
  // The scaffold's rules are named after it, as everything it calls itself is.
  expect(existsSync(join(service, 'rules', 'my-service.rules.yml')) && !existsSync(join(service, 'rules', 'validation-gateway.rules.yml')) && !existsSync(join(service, 'bench')), 'the scaffold lacks its rules (rules/my-service.rules.yml), or has the benchmarks');
  ok(`${tail(created.stdout, 20).split('\n').find((l) => l.startsWith('Created'))?.replace(/\.$/, '') ?? 'created'}: .gitignore restored, @bulwark/* at ^x.y.z, rules in, no benchmarks`);
  const refusedAgain = await npm(['create', '@bulwark/app', 'my-service'], { cwd: scaffolds, allowFailure: true });
  expect(refusedAgain.code !== 0 && refusedAgain.output.includes('already holds files'), `npm create into a non-empty folder did not refuse:\n${tail(refusedAgain.output)}`);
  ok('the same folder again is refused (it holds files)');
  await npm(['install'], { cwd: service });
  await npm(['run', 'build'], { cwd: service });
  ok('npm install, npm run build');
  // With REDIS_URL, as its README says: its two-instance tests run on the Redis CI provides.
  const tested = await npm(['test', '--', '--reporter', 'verbose'], { cwd: service, extraEnv: { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } });
  const summary = tested.output.split('\n').filter((l) => /^\s*(Test Files|Tests)\s/.test(l)).map((l) => l.trim().replace(/\s+/g, ' ')).join('; ');
  expect(/Tests\s+\d+ passed/.test(summary) && !/failed/.test(summary), `the scaffold's tests did not pass:\n${tail(tested.output)}`);
  const onRedis = tested.output.split('\n').filter((l) => /✓ .*two instances on one Redis/.test(l));
  expect(onRedis.length === 2, `the scaffold's Redis tests did not both run and pass:\n${tail(tested.output)}`);
  ok(`npm test (REDIS_URL set): ${summary}; both two-instance Redis tests passed`);
  done();

  step("6. the dependents' plan (core minor, core patch), then a second release: one changeset on @bulwark/breaker");
  // First, what changesets plans for core's dependents (changeset status, nothing written): every
  // package that depends on core moves with it as a patch, whether core's bump is a minor (which
  // leaves the dependents' published ^ range) or a patch (which stays inside it) —
  // `updateInternalDependents: "always"`, so a dependent is re-released against the new version.
  const coreDependents = publicPackages().filter((p) => readJson(join(p.dir, 'package.json')).dependencies?.['@bulwark/core'] !== undefined).map((p) => p.name).sort();
  const planFor = async (bump) => {
    writeChangeset('release-test-plan', { '@bulwark/core': bump }, 'A plan only.');
    await changeset(['status', '--output', join(work, `plan-${bump}.json`)]);
    rmSync(join(copy, '.changeset', 'release-test-plan.md'));
    return readJson(join(work, `plan-${bump}.json`)).releases.filter((r) => r.type !== 'none');
  };
  for (const bump of ['minor', 'patch']) {
    const plan = await planFor(bump);
    const dependentsMoved = plan.filter((r) => r.name !== '@bulwark/core');
    expect(JSON.stringify(dependentsMoved.map((r) => r.name).sort()) === JSON.stringify(coreDependents) && dependentsMoved.every((r) => r.type === 'patch'), `a core ${bump} would release ${plan.map((r) => `${r.name} (${r.type})`).join(', ')}; expected core and its ${coreDependents.length} dependents, each a patch`);
    const coreRelease = plan.find((r) => r.name === '@bulwark/core');
    ok(`plan for a core ${bump} (${coreRelease.oldVersion} → ${coreRelease.newVersion}): its ${coreDependents.length} dependents each a patch`);
  }
  writeChangeset('release-test-breaker', { '@bulwark/breaker': 'patch' }, 'A fix in the breaker, released alone by the release test.');
  const v2 = await version('Version packages (breaker)');
  const moved = Object.keys(v2.after).filter((name) => v2.after[name] !== v2.before[name]).sort();
  // The breaker and every package that lists it (as a dependency or a peer) move; nothing else.
  const manifests = publicPackages().map((p) => readJson(join(p.dir, 'package.json')));
  const dependents = manifests.filter((m) => m.dependencies?.['@bulwark/breaker'] !== undefined || m.peerDependencies?.['@bulwark/breaker'] !== undefined).map((m) => m.name);
  const expected = ['@bulwark/breaker', ...dependents].sort();
  expect(JSON.stringify(moved) === JSON.stringify(expected), `changeset version moved ${moved.join(', ')}; expected the breaker and its dependents: ${expected.join(', ')}`);
  for (const name of moved) {
    const changelog = readFileSync(join(copy, 'packages', name.replace('@bulwark/', ''), 'CHANGELOG.md'), 'utf8');
    expect(changelog.includes(`## ${v2.after[name]}`), `${name}'s CHANGELOG has no entry for ${v2.after[name]}`);
  }
  const breakerLog = readFileSync(join(copy, 'packages', 'breaker', 'CHANGELOG.md'), 'utf8');
  expect(breakerLog.includes('A fix in the breaker'), 'the breaker\'s CHANGELOG lacks the changeset\'s text');
  await publish();
  for (const name of Object.keys(v2.after)) {
    expect((await view(name, 'version')) === v2.after[name], `${name}: latest on the registry is not ${v2.after[name]}`);
  }
  ok(`versioned and published: ${moved.map((n) => `${n} ${v2.before[n]} → ${v2.after[n]}`).join(', ')}; ${Object.keys(v2.after).length - moved.length} others unchanged`);
  ok(`CHANGELOG entries: ${moved.map((n) => `${n} ## ${v2.after[n]}`).join(', ')}`);
  done();

  step('7. rollback: a broken patch of @bulwark/retry, deprecated, then fixed');
  const retryDir = join(copy, 'packages', 'retry');
  const entry = join(retryDir, 'dist', 'index.js');
  const good = readFileSync(entry, 'utf8');
  writeChangeset('release-test-broken', { '@bulwark/retry': 'patch' }, 'A change that broke the build.');
  const broken = (await version('Version packages (broken retry)')).after['@bulwark/retry'];
  writeFileSync(entry, `throw new Error('@bulwark/retry ${broken} is broken');\n${good}`);
  await publish();
  const victim = join(work, 'consumers', 'rollback-before');
  mkdirSync(victim, { recursive: true });
  writeFileSync(join(victim, 'package.json'), '{ "name": "victim", "private": true, "type": "module" }');
  await npm(['install', '@bulwark/retry'], { cwd: victim });
  const importIt = (dir) => run(NODE, ['--input-type=module', '-e', "const { retry } = await import('@bulwark/retry'); const r = retry({ maxAttempts: 2 }); console.log(await r.execute(async () => 'ok'));"], { cwd: dir, allowFailure: true });
  const brokenRun = await importIt(victim);
  expect(brokenRun.code !== 0 && brokenRun.output.includes('is broken'), `the broken ${broken} did not fail as published:\n${brokenRun.output}`);
  ok(`@bulwark/retry@${broken} published broken: a fresh install fails on import`);
  const message = `${broken} fails on import; upgrade to the next patch`;
  await npm(['deprecate', `@bulwark/retry@${broken}`, message], { cwd: work });
  expect((await view(`@bulwark/retry@${broken}`, 'deprecated')) === message, 'the deprecation message is not on the registry');
  ok(`npm deprecate @bulwark/retry@${broken} "${message}"`);
  writeFileSync(entry, good);
  writeChangeset('release-test-fix', { '@bulwark/retry': 'patch' }, `Fixes ${broken}, which failed on import (deprecated).`);
  const fixed = (await version('Version packages (retry fix)')).after['@bulwark/retry'];
  await publish();
  const fresh = join(work, 'consumers', 'rollback-after');
  mkdirSync(fresh, { recursive: true });
  writeFileSync(join(fresh, 'package.json'), '{ "name": "fresh", "private": true, "type": "module" }');
  await npm(['install', '@bulwark/retry'], { cwd: fresh });
  const got = readJson(join(fresh, 'node_modules', '@bulwark', 'retry', 'package.json')).version;
  expect(got === fixed, `a fresh install got @bulwark/retry@${got}, not the fix ${fixed}`);
  const fixedRun = await importIt(fresh);
  expect(fixedRun.code === 0 && fixedRun.stdout.trim() === 'ok', `the fix ${fixed} does not work:\n${fixedRun.output}`);
  ok(`@bulwark/retry@${fixed} published; a fresh install gets ${got} and it works`);
  const pinned = join(work, 'consumers', 'rollback-pinned');
  mkdirSync(pinned, { recursive: true });
  writeFileSync(join(pinned, 'package.json'), '{ "name": "pinned", "private": true, "type": "module" }');
  const warned = await npm(['install', `@bulwark/retry@${broken}`], { cwd: pinned });
  expect(warned.output.includes(message), `installing the deprecated ${broken} printed no deprecation warning:\n${tail(warned.output)}`);
  ok(`installing @bulwark/retry@${broken} on purpose warns: ${warned.output.split('\n').find((l) => l.includes('deprecated'))?.trim()}`);
  const retryLog = readFileSync(join(retryDir, 'CHANGELOG.md'), 'utf8');
  expect(retryLog.includes(`## ${fixed}`) && retryLog.includes(`Fixes ${broken}`), 'the retry CHANGELOG lacks the fix entry');
  ok(`CHANGELOG of @bulwark/retry: ## ${fixed} "Fixes ${broken} …" above ## ${broken}`);
  done();
}

// Interrupted: stop the registry by its pid before going.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopRegistry();
    console.error(`\nrelease: interrupted (${signal}); verdaccio stopped, ${work} kept`);
    process.exit(130);
  });
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`\nrelease: ✗ ${error instanceof Failure ? error.message : error?.stack ?? error}`);
} finally {
  stopRegistry();
  if (failed) console.error(`release: kept ${work} for a look`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`\nrelease: ${failed ? 'FAILED' : 'all green'} in ${seconds(started)}`);
process.exitCode = failed ? 1 : 0;
