#!/usr/bin/env node
// `npm run load`: the validation gateway at stepped rates — a cache hit, then misses through the
// upstream simulator's `mild` profile — with each step's latency split by the gateway's
// Server-Timing and its bottleneck named; and the cache hit's cost against a bare Fastify route.
import { hash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureOverhead, recordOverhead, type Overhead } from './internal/overhead.js';
import { parseOptions, UsageError, USAGE, type LoadOptions } from './internal/options.js';
import { runningPids, startServer, stopAll, StartError, type Server } from './internal/processes.js';
import { runSteps, type StepResult, type Traffic } from './internal/steps.js';
import { tableHeader, tableRow } from './internal/table.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GATEWAY = join(ROOT, 'apps/validation-gateway/dist/main.js');
const SIMULATOR = join(ROOT, 'apps/upstream-simulator/dist/main.js');
const BARE = join(ROOT, 'apps/validation-gateway/bench/bare-fastify.mjs');

/** One scenario's steps, as written to the results. */
interface ScenarioResult {
  readonly name: 'cache-hit' | 'cache-miss';
  readonly description: string;
  readonly p99BoundMs: number;
  /** The rate of the step whose p99 passed the bound, or null when none did. */
  readonly stoppedAtRps: number | null;
  readonly steps: readonly StepResult[];
}

async function run(options: LoadOptions, dir: string): Promise<void> {
  const key = randomBytes(24).toString('base64url');
  const keysFile = join(dir, 'callers.json');
  const upstreamKeyFile = join(dir, 'upstream.key');
  writeFileSync(keysFile, JSON.stringify([{ id: 'load', scopes: ['validate'], sha256: hash('sha256', key) }]), { mode: 0o600 });

  const servers: Server[] = [];
  const simulator = await startServer('the upstream simulator', SIMULATOR, ['--port', '0', '--profile', options.profile, '--keys-file', upstreamKeyFile], {});
  servers.push(simulator);
  const gateway = await startServer('the gateway', GATEWAY, [], {
    PORT: '0',
    HOST: '127.0.0.1',
    UPSTREAM_URL: simulator.url,
    UPSTREAM_API_KEY_FILE: upstreamKeyFile,
    GATEWAY_API_KEYS_FILE: keysFile,
    UPSTREAM_RATE_PER_SECOND: String(options.upstreamRate),
    // The callers' own limit is measured (the `limiter` part), never reached.
    CALLER_RATE_PER_SECOND: '1000000',
    CALLER_BURST: '1000000',
    REDIS_URL: '',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  });
  servers.push(gateway);
  const bare = options.ratioSeconds > 0 ? await startServer('the bare Fastify route', BARE, [], {}) : undefined;
  if (bare !== undefined) servers.push(bare);
  console.log(`load: ${servers.map((s) => `${s.name} ${s.url} (pid ${s.pid})`).join(', ')}; ${options.connections} connections, ${options.stepSeconds} s per step`);

  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const hitBody = JSON.stringify({ email: 'ada@lovelace.dev' });
  // One answer from the upstream fills the cache: every request after it is a hit.
  const first = await fetch(`${gateway.url}/v1/validate/email`, { method: 'POST', headers, body: hitBody });
  if (first.status !== 200) throw new Error(`The gateway answered ${first.status} to the request that fills the cache.`);
  const hit: Traffic = { path: '/v1/validate/email', headers, body: () => hitBody };
  const run = randomBytes(3).toString('hex');
  let n = 0;
  // A new address each time, on a few hundred domains: every request asks the upstream.
  const miss: Traffic = { path: '/v1/validate/email', headers, body: () => JSON.stringify({ email: `user${++n}.${run}@domain${n % 300}.dev` }) };

  // What the simulator answered, by status: a step's 429s say the upstream's limit was met.
  const upstreamCounts = async (): Promise<Record<string, number>> => ((await (await fetch(`${simulator.url}/_sim/stats`)).json()) as { byStatus: Record<string, number> }).byStatus;

  let overhead: Overhead | undefined;
  if (bare !== undefined) {
    console.log(`\ncache-hit overhead: the gateway and a bare Fastify route answering the same JSON, ${options.connections} connections, as fast as they answer, 2 rounds of ${options.ratioSeconds} s each`);
    overhead = await measureOverhead(gateway, bare, hit, options);
    console.log(`  gateway ${overhead.gateway.rps.toFixed(0)}/s p99 ${overhead.gateway.p99Ms} ms; bare ${overhead.bare.rps.toFixed(0)}/s p99 ${overhead.bare.p99Ms} ms; ratio ${overhead.ratio.toFixed(2)}× (goal ≥ ${overhead.goal.ratio}×, p99 ≤ ${overhead.goal.p99Ms} ms: ${overhead.goal.met ? 'met' : 'not met'})`);
  }

  const scenarios: ScenarioResult[] = [];
  const plan = [
    { id: 'hit', name: 'cache-hit', traffic: hit, bound: options.p99BoundMs, description: 'POST /v1/validate/email, the same address every time (warmed: every answer from the cache)' },
    { id: 'miss', name: 'cache-miss', traffic: miss, bound: options.missP99BoundMs, description: `POST /v1/validate/email, a new address every time, through the upstream simulator (${options.profile} profile) at UPSTREAM_RATE_PER_SECOND=${options.upstreamRate}` },
  ] as const;
  for (const s of plan) {
    if (!options.scenarios.includes(s.id)) continue;
    console.log(`\n${s.name}: ${s.description}; stops at the step whose p99 passes ${s.bound} ms. Milliseconds; parts are means from each response's Server-Timing.`);
    console.log(tableHeader());
    const steps = await runSteps(
      gateway.url,
      s.traffic,
      { rates: options.rates, seconds: options.stepSeconds, connections: options.connections, p99BoundMs: s.bound, upstreamCounts },
      (step) => console.log(tableRow(step)),
    );
    const last = steps.at(-1);
    scenarios.push({ name: s.name, description: s.description, p99BoundMs: s.bound, stoppedAtRps: last?.overBound === true ? last.targetRps : null, steps });
    console.log(last?.overBound === true ? `  stopped at ${last.targetRps}/s: p99 ${last.latencyMs.p99} ms > ${s.bound} ms; bottleneck: ${last.breakdown.bottleneck}` : `  every step within ${s.bound} ms`);
  }

  const results = {
    meta: {
      startedAt: new Date(startedAt).toISOString(),
      durationS: Math.round((Date.now() - startedAt) / 1000),
      node: process.versions.node,
      cpus: cpus().length,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      connections: options.connections,
      stepSeconds: options.stepSeconds,
      upstreamProfile: options.profile,
      upstreamRatePerSecond: options.upstreamRate,
    },
    overhead: overhead ?? null,
    scenarios,
    processes: servers.map((s) => ({ name: s.name, pid: s.pid })),
  };
  await stopAll();
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  if (overhead !== undefined) recordOverhead(join(dirname(out), 'latest.json'), overhead, options.connections);
  console.log(`\nload: results in ${out}${overhead === undefined ? '' : ' (the overhead case also in latest.json beside it)'}`);
}

const startedAt = Date.now();
let options: LoadOptions;
try {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  options = parseOptions(process.argv.slice(2), join(ROOT, 'bench/results/load.json'));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`load: ${error.message}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'bulwark-load-'));
let interrupted = false;
const interrupt = (signal: NodeJS.Signals): void => {
  if (interrupted) return;
  interrupted = true;
  console.error(`\nload: ${signal}: stopping the processes it started (pids ${runningPids().join(', ') || 'none'})`);
  void stopAll().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

try {
  await run(options, dir);
} catch (error) {
  await stopAll();
  console.error(`load: ${error instanceof StartError ? error.message : (error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  if (!interrupted) rmSync(dir, { recursive: true, force: true });
}
// Exit as soon as done, rather than when an idle keep-alive socket times out.
if (!interrupted) process.exit();
