// `npm test`: typecheck every project, then run every test of every package once, on the Node the
// workspace brings in, with a Redis for the integration tests; ends with one plain summary line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedis } from '../tools/test-utils/src/redis-server.ts';

const REQUIRED_NODE_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_NODE_MAJOR) {
  console.error(`test: running on Node ${process.versions.node}; the workspace's Node ${REQUIRED_NODE_MAJOR} was not installed (check onlyBuiltDependencies in pnpm-workspace.yaml).`);
  process.exit(1);
}
console.log(`test: Node ${process.versions.node}`);

const run = (command, args, env = process.env) =>
  spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1;

if (run('tsc', ['-b']) !== 0) {
  console.error('test: the typecheck (tsc -b) failed; see above.');
  console.log('Tests: 0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

const redis = await ensureRedis();
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
if (redis.url !== undefined) {
  env.REDIS_URL = redis.url;
  console.log(`test: Redis at ${redis.url}${redis.started ? ' (a private redis-server started for this run)' : ''}`);
} else if (process.env.CI) {
  console.error(`test: Redis is required under CI and none is available: ${redis.unavailableReason}.`);
  console.error('test: install it (Debian: apt-get install redis-server) or set REDIS_URL.');
  console.log('Tests: 0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

const out = mkdtempSync(join(tmpdir(), 'bulwark-test-'));
const report = join(out, 'report.json');
const status = run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], env);
await redis.started?.stop();

let passed = 0;
let failed = 0;
let skipped = 0;
let redisSkipped = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  for (const file of json.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'passed') passed++;
      else if (t.status === 'failed') failed++;
      else {
        skipped++;
        if ((t.fullName ?? '').includes('[redis]')) redisSkipped++;
      }
    }
    // A file that failed to load has no assertions but is a failure all the same.
    if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') failed++;
  }
} catch (error) {
  console.error(`test: could not read the vitest report: ${error.message}`);
  failed++;
}
rmSync(out, { recursive: true, force: true });

if (redisSkipped > 0) {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n  ${redisSkipped} Redis test(s) SKIPPED: ${redis.unavailableReason}.\n  Install redis-server or set REDIS_URL to run them; under CI this is a failure.\n${bar}\n`);
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || status !== 0 ? 1 : 0);
