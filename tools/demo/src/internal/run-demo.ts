// One run: two upstream simulators on the hard profile (same seed, so the same faults on the same
// schedule), the gateway in front of one, the naive client on the other, the same request stream
// through both; then the figures, from the requests, the simulators' counts and the gateway's metrics.
import type { BreakerState, DemoReport, TimelineEvent } from '@bulwark/demo-report';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DemoOptions } from './args.js';
import { startChild, type Child } from './child-process.js';
import { gatewayClient, naiveClient } from './clients.js';
import { drive, type RequestRecord } from './drive.js';
import { addressPopulation, zipfStream } from './email-stream.js';
import { breakerState, parsePrometheus, sumOf, worse } from './prometheus.js';
import { clientMetrics, goals, timelineOf, type UpstreamCounts } from './report.js';
import { removeRedisPrefix } from './redis-cleanup.js';
import { countSecrets } from './secret-scan.js';

/** A problem the person running the demo can fix; printed as one line. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}

export interface RunResult {
  readonly report: DemoReport;
  /** Rotations in the run (the table says how many were survived of these). */
  readonly rotations: number;
  /** Per client, the requests that got no answer, by status (`429`, `503`, `timeout`, `error`, …). */
  readonly failures: Readonly<Record<'gateway' | 'naive', Readonly<Record<string, number>>>>;
}

interface SimStats {
  readonly requests: Record<string, number>;
  readonly timeline: readonly Record<string, number>[];
  readonly outages: readonly { startMs: number; endMs: number }[];
  readonly rotations: readonly { atMs: number; keyId: string; overlapEndsMs: number }[];
}

/** The hard profile's rate limit: calls per second per key. */
const UPSTREAM_LIMIT_PER_SECOND = 20;

interface SimKeys {
  readonly current: { key: string };
  readonly previous: { key: string } | null;
}

/** The hard profile's schedule for a 60 s run, kept in its place in a run of another length. */
function scaledSchedule(durationS: number): string[] {
  const f = durationS / 60;
  const outageAt = Math.round(20_000 * f);
  const outageFor = Math.max(1, Math.round(10_000 * f));
  const rotateEvery = Math.max(2, Math.round(40_000 * f));
  const overlap = Math.max(1, Math.min(rotateEvery - 1, Math.round(5_000 * f)));
  return ['--outage', `${outageAt}:${outageFor}`, '--rotate-every-ms', String(rotateEvery), '--overlap-ms', String(overlap)];
}

/** Rejects with the signal's reason as soon as it aborts. */
function orAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

async function getJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function getText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return response.text();
}

export interface RunContext {
  /** The repository's root folder. */
  readonly root: string;
  /** Aborted on SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Writes the live progress. */
  readonly progress: (line: string, final?: boolean) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function runDemo(options: DemoOptions, context: RunContext): Promise<RunResult> {
  const { root, signal } = context;
  const simulatorMain = join(root, 'apps/upstream-simulator/dist/main.js');
  const gatewayMain = join(root, 'apps/validation-gateway/dist/main.js');
  for (const file of [simulatorMain, gatewayMain]) {
    if (!existsSync(file)) throw new DemoError(`${relative(root, file)} is missing: build first with \`npx -y pnpm@10.34.9 exec tsc -b\` (\`npm run demo\` does it for you).`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'bulwark-demo-'));
  const children: Child[] = [];
  // Every start, even one the run stopped waiting for: the cleanup waits for each and stops it.
  const starting: Promise<unknown>[] = [];
  const start = (...args: Parameters<typeof startChild>): Promise<Child> => {
    const started = startChild(...args).then((child) => {
      children.push(child);
      return child;
    });
    starting.push(started.catch(() => {}));
    return started;
  };
  const gatewayKeyFile = join(dir, 'gateway-upstream.key');
  const naiveKeyFile = join(dir, 'naive-upstream.key');
  const callerKey = `demo_${randomBytes(24).toString('base64url')}`;
  const secrets = new Set<string>([callerKey]);
  const redisUrl = context.env['REDIS_URL'] ?? '';
  const redisPrefix = `bulwark-demo:${process.pid}-${Date.now()}:`;
  try {
    const callersFile = join(dir, 'callers.json');
    writeFileSync(callersFile, JSON.stringify([{ id: 'demo', scopes: ['validate'], sha256: createHash('sha256').update(callerKey).digest('hex') }]), { mode: 0o600 });

    // A minimal environment: nothing of the person's own (an UPSTREAM_API_KEY, a secrets store) leaks in.
    const baseEnv: NodeJS.ProcessEnv = { PATH: context.env['PATH'] ?? '', HOME: context.env['HOME'] ?? dir, LANG: context.env['LANG'] ?? 'C.UTF-8', TMPDIR: tmpdir() };
    const simArgs = (port: number, keysFile: string) => ['--port', String(port), '--profile', 'hard', '--seed', String(options.seed), '--keys-file', keysFile, ...scaledSchedule(options.durationS)];
    const [gatewaySim, naiveSim] = await orAbort(
      Promise.all([
        start('the gateway\'s upstream simulator', simulatorMain, simArgs(options.upstreamPort, gatewayKeyFile), baseEnv),
        start('the naive client\'s upstream simulator', simulatorMain, simArgs(0, naiveKeyFile), baseEnv),
      ]),
      signal,
    );

    const gatewayEnv = (port: number, n: number): NodeJS.ProcessEnv => ({
      ...baseEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      SERVICE_NAME: `validation-gateway-${n}`,
      LOG_LEVEL: 'info',
      UPSTREAM_URL: gatewaySim.url,
      UPSTREAM_API_KEY_FILE: gatewayKeyFile,
      GATEWAY_API_KEYS_FILE: callersFile,
      UPSTREAM_RATE_PER_SECOND: String(UPSTREAM_LIMIT_PER_SECOND),
      // The demo's one caller sends the whole offered load; its own limit is not what is shown here.
      CALLER_RATE_PER_SECOND: String(Math.max(100, options.ratePerSecond * 4)),
      CALLER_BURST: String(Math.max(200, options.ratePerSecond * 8)),
      // The caller waits `clientTimeoutMs`: the gateway gives up on the upstream well before that and
      // answers from what it knows (the rest of the time is its own work, Redis and a busy machine).
      UPSTREAM_TOTAL_TIMEOUT_MS: String(Math.round(options.clientTimeoutMs * 0.6)),
      UPSTREAM_ATTEMPT_TIMEOUT_MS: String(Math.round(options.clientTimeoutMs * 0.3)),
      // Verdicts stay fresh for a quarter of the run, so that the outage meets stale ones.
      CACHE_TTL_MS: String(Math.round(options.durationS * 250)),
      CACHE_STALE_MS: String(options.durationS * 1000),
      SECRETS_REFRESH_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '2000',
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
    });
    const gateways = await orAbort(
      Promise.all(
        Array.from({ length: options.instances }, (_, i) =>
          start(options.instances > 1 ? `gateway ${i + 1}` : 'the gateway', gatewayMain, [], gatewayEnv(options.port === 0 ? 0 : options.port + i, i + 1)),
        ),
      ),
      signal,
    );

    // The naive client has its key as from a config file: read once, never again.
    const naiveKey = readFileSync(naiveKeyFile, 'utf8').trim();
    secrets.add(naiveKey);
    secrets.add(readFileSync(gatewayKeyFile, 'utf8').trim());

    // A server that exits while the run needs it ends the run at once, saying which and its last
    // words: a table of failures would hide why.
    const servers = [gatewaySim, naiveSim, ...gateways];
    let stopping = false;
    const crashed = new Promise<never>((_, reject) => {
      for (const server of servers) {
        void server.exited.then((code) => {
          if (stopping) return;
          const last = server.lastError();
          reject(new DemoError(`${server.name} exited (${code}) during the run${last === '' ? '' : `: ${last}`}; the run stopped, nothing was written.`));
        });
      }
    });
    crashed.catch(() => {});
    const unlessCrashed = <T>(work: Promise<T>): Promise<T> => orAbort(Promise.race([work, crashed]), signal);

    // Both simulators start their run (counts, outage, rotation) now, together.
    await unlessCrashed(Promise.all([gatewaySim, naiveSim].map((sim) => fetch(`${sim.url}/_sim/reset`, { method: 'POST', signal: AbortSignal.timeout(5_000) }))));
    const startedAt = new Date();
    const next = zipfStream(addressPopulation(400, options.seed), options.seed);
    const run = drive({
      clients: { gateway: gatewayClient(gateways.map((g) => g.url), callerKey), naive: naiveClient(naiveSim.url, naiveKey) },
      next,
      ratePerSecond: options.ratePerSecond,
      durationMs: options.durationS * 1000,
      clientTimeoutMs: options.clientTimeoutMs,
      signal,
    });

    // Once a second: the breaker's state (the worst over the instances), the keys issued so far (for
    // the scan), and the progress line.
    const breakerBySecond: BreakerState[] = [];
    let lastMetrics: string[] = [];
    const poll = async (show = true) => {
      const second = Math.floor((performance.now() - run.startedAt) / 1000);
      const [metrics, keys] = await Promise.all([
        Promise.all(gateways.map((g) => getText(`${g.url}/metrics`).catch(() => ''))),
        Promise.all([gatewaySim, naiveSim].map((sim) => getJson<SimKeys>(`${sim.url}/_sim/keys`).catch(() => undefined))),
      ]);
      if (metrics.every((m) => m !== '')) lastMetrics = metrics;
      const state = metrics.map((m) => breakerState(parsePrometheus(m))).reduce(worse, 'closed');
      breakerBySecond[second] = worse(breakerBySecond[second] ?? 'closed', state);
      for (const k of keys) {
        if (k === undefined) continue;
        secrets.add(k.current.key);
        if (k.previous !== null) secrets.add(k.previous.key);
      }
      if (show) context.progress(progressLine(second, options.durationS, run.records, state, run.inFlight()));
    };
    let polling = Promise.resolve();
    const poller = setInterval(() => {
      polling = polling.then(() => poll()).catch(() => {});
    }, 1_000);
    try {
      await unlessCrashed(run.done);
    } finally {
      clearInterval(poller);
      await polling;
    }
    await poll(false);
    context.progress(progressLine(options.durationS, options.durationS, run.records, breakerBySecond.at(-1) ?? 'closed', 0), true);

    const [gatewayStats, naiveStats] = await unlessCrashed(Promise.all([gatewaySim, naiveSim].map((sim) => getJson<SimStats>(`${sim.url}/_sim/stats`))));
    const transitions = lastMetrics.reduce((sum, m) => sum + sumOf(parsePrometheus(m), 'bulwark_breaker_transitions_total'), 0);

    // Everything the processes wrote, once they have exited; and any file in the run's folder but
    // the key files themselves (where the keys belong).
    stopping = true;
    await Promise.all(children.splice(0).reverse().map((c) => c.stop().then(() => c)));
    const written = servers.map((c) => c.output());
    if (options.logs !== undefined) {
      mkdirSync(options.logs, { recursive: true });
      const names = ['upstream-simulator-gateway', 'upstream-simulator-naive', ...gateways.map((_, i) => `validation-gateway-${i + 1}`)];
      servers.forEach((c, i) => writeFileSync(join(options.logs!, `${names[i]}.log`), c.output()));
      writeFileSync(join(options.logs, 'upstream-simulator-gateway.stats.json'), `${JSON.stringify(gatewayStats, null, 2)}\n`);
      writeFileSync(join(options.logs, 'upstream-simulator-naive.stats.json'), `${JSON.stringify(naiveStats, null, 2)}\n`);
    }
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (file !== gatewayKeyFile && file !== naiveKeyFile) written.push(readFileSync(file, 'utf8'));
    }
    const secretsInLogs = countSecrets(written, secrets);

    const gatewayCounts = upstreamCounts(gatewayStats!);
    const naiveCounts = upstreamCounts(naiveStats!);
    const gatewayMetrics = clientMetrics(run.records['gateway']!, gatewayCounts, transitions);
    const naiveMetrics = clientMetrics(run.records['naive']!, naiveCounts, 0);
    const gatewayTimeline = timelineOf(run.records['gateway']!, options.durationS);
    const naiveTimeline = timelineOf(run.records['naive']!, options.durationS);
    let breaker: BreakerState = 'closed';
    const points = gatewayTimeline.map((g, t) => {
      breaker = breakerBySecond[t] ?? breaker;
      // The simulators count by second since their reset, which is the run's start.
      const upstream = { gateway: gatewayStats!.timeline[t]?.['total'] ?? 0, naive: naiveStats!.timeline[t]?.['total'] ?? 0 };
      return { t, gateway: g, naive: naiveTimeline[t]!, breaker, upstream };
    });
    const report: DemoReport = {
      gateway: gatewayMetrics,
      naive: naiveMetrics,
      secretsInLogs,
      meta: { profile: 'hard', durationS: options.durationS, instances: options.instances, startedAt: startedAt.toISOString(), ratePerSecond: options.ratePerSecond, seed: options.seed, upstreamLimitPerSecond: UPSTREAM_LIMIT_PER_SECOND },
      timeline: { bucketMs: 1000, points, events: events(gatewayStats!) },
      goals: goals(gatewayMetrics, naiveMetrics, gatewayCounts, secretsInLogs),
    };
    return { report, rotations: gatewayStats!.rotations.length, failures: { gateway: failuresOf(run.records['gateway']!), naive: failuresOf(run.records['naive']!) } };
  } finally {
    await Promise.all(starting);
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
    if (redisUrl !== '') await removeRedisPrefix(redisUrl, redisPrefix);
  }
}

function failuresOf(records: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) if (!r.ok) counts[String(r.status)] = (counts[String(r.status)] ?? 0) + 1;
  return counts;
}

function upstreamCounts(stats: SimStats): UpstreamCounts {
  return {
    total: stats.requests['total'] ?? 0,
    status429: stats.requests['429'] ?? 0,
    timeline429: stats.timeline.map((s) => s['429'] ?? 0),
    rotationsOverlapEndMs: stats.rotations.map((r) => r.overlapEndsMs),
  };
}

function events(stats: SimStats): TimelineEvent[] {
  const list: TimelineEvent[] = [];
  for (const outage of stats.outages) {
    list.push({ t: outage.startMs / 1000, kind: 'outage-start', label: 'outage begins: every request 503' });
    list.push({ t: outage.endMs / 1000, kind: 'outage-end', label: 'outage ends' });
  }
  for (const rotation of stats.rotations) {
    list.push({ t: rotation.atMs / 1000, kind: 'rotation', label: `key rotated; the old one refused from ${(rotation.overlapEndsMs / 1000).toFixed(0)} s` });
  }
  return list.sort((a, b) => a.t - b.t);
}

function progressLine(second: number, durationS: number, records: Readonly<Record<string, readonly RequestRecord[]>>, breaker: BreakerState, inFlight: number): string {
  const rate = (list: readonly RequestRecord[] = []) => (list.length === 0 ? '  —   ' : `${((list.filter((r) => r.ok).length / list.length) * 100).toFixed(1).padStart(5)}%`);
  return `${String(Math.min(second, durationS)).padStart(3)} s of ${durationS}  gateway ${rate(records['gateway'])} ok  naive ${rate(records['naive'])} ok  breaker ${breaker.padEnd(9)}  in flight ${inFlight}`;
}
