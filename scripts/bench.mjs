// `npm run bench [-- <package>...] [--runs N]`: runs every package's bench files
// (packages/*/bench/*.bench.ts) against the built packages, each file in a process of its own, and
// writes bench/results/latest.json. Compare ratios within one run, never absolute figures across runs.
// With --runs N every file runs N times, each time in a fresh process, and each case is reported as
// the median of the runs with its spread: one noisy run cannot decide a ratio.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRedis } from '../tools/test-utils/src/redis-server.ts';

const wanted = [];
let runs = 1;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  const option = /^--runs(?:=(.*))?$/.exec(arg);
  if (option === null) wanted.push(arg.replace(/^@bulwark\//, ''));
  else {
    const value = option[1] ?? process.argv[++i];
    runs = Number(value);
    if (!Number.isInteger(runs) || runs < 1) {
      console.error(`bench: expected \`--runs\` to be a positive integer, got ${JSON.stringify(value)}.`);
      process.exit(2);
    }
  }
}
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

const files = chosen.flatMap((pkg) =>
  readdirSync(benchDirs.get(pkg))
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => ({ path: join(benchDirs.get(pkg), f), runs: [] })),
);
let failed = false;
// Run after run over all files, so that a slow spell of the machine hits every file alike.
for (let run = 1; run <= runs; run++) {
  for (const file of files) {
    console.log(`bench: ${file.path}${runs > 1 ? ` (run ${run} of ${runs})` : ''}`);
    const child = spawnSync(process.execPath, ['--expose-gc', 'scripts/bench-file.mjs', file.path], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const last = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !last.startsWith('[')) {
      console.error(`bench: ${file.path} failed (exit ${child.status}).\n${child.stdout}`);
      failed = true;
      continue;
    }
    file.runs.push(JSON.parse(last));
  }
}
const results = [];
for (const file of files) {
  if (file.runs.length === 0) continue;
  const rows = summarize(file.runs).map((row) => ({ ...row, file: file.path }));
  results.push(...rows);
  printSuites(rows);
}
await redis.started?.stop();

mkdirSync(join('bench', 'results'), { recursive: true });
const latest = join('bench', 'results', 'latest.json');
let record = results;
// A run of some packages replaces every row of the files it ran (a case renamed or removed since
// goes with them) and keeps the others' (each suite is one run's).
if (wanted.length > 0 && existsSync(latest)) {
  const ranFiles = new Set(files.map((f) => f.path));
  const ranSuites = new Set(record.map((r) => r.suite));
  const kept = JSON.parse(readFileSync(latest, 'utf8')).filter((r) => !ranFiles.has(r.file) && !ranSuites.has(r.suite));
  record = [...kept, ...record];
}
writeFileSync(latest, `${JSON.stringify(record, null, 2)}\n`);
console.log(`bench: ${results.length} cases measured, ${record.length} in bench/results/latest.json (Node ${process.versions.node}).`);
process.exit(failed ? 1 : 0);

/**
 * One row per case: the median of each figure over the runs and, when there are several, the range
 * of `hz`. A peer's `ratio` is ours ÷ this case as each run measured it (round by round, within one
 * process), summarized over the runs the same way.
 */
function summarize(fileRuns) {
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;
  const [first] = fileRuns;
  return first.map(({ suite, case: name, peer }) => {
    const samples = fileRuns.map((rows) => rows.find((r) => r.suite === suite && r.case === name));
    const hz = samples.map((s) => s.hz);
    const out = {
      suite,
      case: name,
      hz: Math.round(median(hz)),
      meanNs: round(median(samples.map((s) => s.meanNs)), 1),
      p99Ns: round(median(samples.map((s) => s.p99Ns)), 1),
      peer,
    };
    if (fileRuns.length > 1) Object.assign(out, { runs: fileRuns.length, hzMin: Math.min(...hz), hzMax: Math.max(...hz) });
    if (peer !== null) {
      const ratios = samples.map((s) => s.ratio);
      out.ratio = round(median(ratios), 3);
      if (fileRuns.length > 1) Object.assign(out, { ratioMin: round(Math.min(...ratios), 3), ratioMax: round(Math.max(...ratios), 3) });
    }
    return out;
  });
}

function printSuites(rows) {
  for (const suite of new Set(rows.map((r) => r.suite))) {
    const cases = rows.filter((r) => r.suite === suite);
    const width = Math.max(48, ...cases.map((r) => r.case.length));
    console.log(`\n  ${suite}`);
    for (const r of cases) {
      const spread = r.runs === undefined ? '' : ` (${(r.hzMin / 1e6).toFixed(3)}–${(r.hzMax / 1e6).toFixed(3)})`;
      const ratio =
        r.peer === null
          ? ''
          : `  ours/this = ${r.ratio.toFixed(2)}x${r.runs === undefined ? '' : ` (${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)} over ${r.runs} runs)`}`;
      console.log(`    ${r.case.padEnd(width)} ${(r.hz / 1e6).toFixed(3).padStart(9)} M ops/s${spread}  p99 ${String(r.p99Ns).padStart(9)} ns${ratio}`);
    }
  }
  console.log('');
}
