// `npm run bench [-- <package>...]`: runs every package's bench files (packages/*/bench/*.bench.ts)
// against the built packages, each file in a process of its own, and writes
// bench/results/latest.json. Compare ratios within one run, never absolute figures across runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRedis } from '../tools/test-utils/src/redis-server.ts';

const wanted = process.argv.slice(2).map((p) => p.replace(/^@bulwark\//, ''));
// Package benchmarks live in packages/<name>/bench; suites that combine packages in tools/benchmarks/bench;
// the apps' own in apps/<name>/bench.
const benchDirs = new Map();
for (const parent of ['packages', 'tools', 'apps']) {
  for (const name of readdirSync(parent)) {
    if (existsSync(join(parent, name, 'bench'))) benchDirs.set(name, join(parent, name, 'bench'));
  }
}
const packages = [...benchDirs.keys()];
for (const w of wanted) {
  if (!packages.includes(w)) {
    console.error(`bench: no benchmarks for ${JSON.stringify(w)}; packages with benchmarks: ${packages.join(', ')}.`);
    process.exit(2);
  }
}
const chosen = wanted.length > 0 ? wanted : packages;

const redis = await ensureRedis();
const env = { ...process.env, NODE_ENV: 'production' };
if (redis.url) env.REDIS_URL = redis.url;

const results = [];
let failed = false;
for (const pkg of chosen) {
  const dir = benchDirs.get(pkg);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort()) {
    const path = join(dir, file);
    console.log(`bench: ${path}`);
    const run = spawnSync(process.execPath, ['--expose-gc', 'scripts/bench-file.mjs', path], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const last = run.stdout.trim().split('\n').pop() ?? '';
    if (run.status !== 0 || !last.startsWith('[')) {
      console.error(`bench: ${path} failed (exit ${run.status}).\n${run.stdout}`);
      failed = true;
      continue;
    }
    const rows = JSON.parse(last).map((r) => ({ package: `@bulwark/${pkg}`, ...r }));
    results.push(...rows);
    printSuites(rows);
  }
}
await redis.started?.stop();

mkdirSync(join('bench', 'results'), { recursive: true });
const latest = join('bench', 'results', 'latest.json');
let record = results.map(({ suite, case: name, hz, meanNs, p99Ns, peer }) => ({ suite, case: name, hz, meanNs, p99Ns, peer }));
// A run of some packages replaces their suites and keeps the others' (each suite is one run's).
if (wanted.length > 0 && existsSync(latest)) {
  const ran = new Set(record.map((r) => r.suite));
  const kept = JSON.parse(readFileSync(latest, 'utf8')).filter((r) => !ran.has(r.suite));
  record = [...kept, ...record];
}
writeFileSync(latest, `${JSON.stringify(record, null, 2)}\n`);
console.log(`bench: ${results.length} cases measured, ${record.length} in bench/results/latest.json (Node ${process.versions.node}).`);
process.exit(failed ? 1 : 0);

function printSuites(rows) {
  for (const suite of new Set(rows.map((r) => r.suite))) {
    const cases = rows.filter((r) => r.suite === suite);
    const ours = cases.find((r) => r.peer === null);
    console.log(`\n  ${suite}`);
    for (const r of cases) {
      const ratio = r.peer === null ? '' : `  ours/this = ${(ours.hz / r.hz).toFixed(2)}x`;
      console.log(`    ${r.case.padEnd(48)} ${(r.hz / 1e6).toFixed(3).padStart(9)} M ops/s  p99 ${String(r.p99Ns).padStart(9)} ns${ratio}`);
    }
  }
  console.log('');
}
