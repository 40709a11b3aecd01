// `npm run demo` as a person runs it: `node dist/main.js` with flags, its output, its exit code, the
// report it writes, and the processes it leaves (none).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertDemoReport } from '@bulwark/demo-report';
import { afterAll, describe, expect, test } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The default path (memory stores, no Redis), whatever the test run found.
const { REDIS_URL: _, NODE_OPTIONS: __, ...env } = process.env;

interface Run {
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

function demo(args: readonly string[], main = MAIN): Run {
  const child = spawn(process.execPath, [main, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exit, kill: (signal) => child.kill(signal) };
}

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.concurrent('npm run demo', () => {
  test('a short run: the report has the contract shape, and the gateway beats the naive client', { timeout: 60_000 }, async () => {
    const reportFile = join(dir, 'short', 'report.json');
    const run = demo(['--duration', '8', '--report', reportFile]);
    const { code } = await run.exit;
    // 0 when every goal is met, 1 when one is missed: either way the run completed and reported.
    expect([0, 1], run.stderr()).toContain(code);
    expect(run.stdout()).toMatch(/success rate/);
    expect(run.stdout()).toMatch(/gateway success ≥ 99\.5%/);

    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    // What the HTML renderer accepts, and the page beside the JSON.
    assertDemoReport(report);
    expect(readFileSync(reportFile.replace(/\.json$/, '.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    const metric = {
      successRate: expect.any(Number), p50Ms: expect.any(Number), p95Ms: expect.any(Number), p99Ms: expect.any(Number),
      upstreamCalls: expect.any(Number), status429: expect.any(Number), breakerTransitions: expect.any(Number),
      offlineAnswers: expect.any(Number), staleAnswers: expect.any(Number), cacheAnswers: expect.any(Number),
      rotationsSurvived: expect.any(Number), requests: expect.any(Number),
    };
    expect(report).toEqual({
      gateway: metric,
      naive: metric,
      secretsInLogs: 0,
      meta: { profile: 'hard', durationS: 8, instances: 1, startedAt: expect.any(String), ratePerSecond: 40, seed: 1, upstreamLimitPerSecond: 20 },
      timeline: { bucketMs: 1000, points: expect.any(Array), events: expect.any(Array) },
      goals: expect.any(Array),
    });
    expect(Object.keys(report.gateway).sort()).toEqual(Object.keys(metric).sort());
    expect(new Date(report.meta.startedAt).toISOString()).toBe(report.meta.startedAt);
    expect(report.timeline.points).toHaveLength(8);
    for (const [i, point] of report.timeline.points.entries()) {
      expect(point.t).toBe(i);
      expect(['closed', 'open', 'half-open']).toContain(point.breaker);
      expect(point.upstream).toEqual({ gateway: expect.any(Number), naive: expect.any(Number) });
      for (const side of [point.gateway, point.naive]) {
        expect(side).toEqual({ requests: expect.any(Number), ok: expect.any(Number), p50Ms: side.requests === 0 ? null : expect.any(Number), p99Ms: side.requests === 0 ? null : expect.any(Number) });
      }
    }
    // The simulators' per-second counts add up to their totals: every call the naive client made
    // reached the upstream, the gateway's far fewer.
    const calls = (side: 'gateway' | 'naive'): number => report.timeline.points.reduce((sum, p) => sum + p.upstream[side], 0);
    expect(calls('naive')).toBeLessThanOrEqual(report.naive.upstreamCalls);
    expect(calls('naive')).toBeGreaterThan(report.naive.upstreamCalls * 0.8);
    expect(calls('gateway')).toBeLessThan(calls('naive'));
    expect(report.timeline.events.map((e: { kind: string }) => e.kind)).toEqual(['outage-start', 'outage-end', 'rotation']);
    expect(report.goals).toHaveLength(5);
    for (const goal of report.goals) expect(goal).toEqual({ name: expect.any(String), met: expect.any(Boolean), detail: expect.any(String) });

    // The same 320 requests went both ways.
    expect(report.gateway.requests).toBe(320);
    expect(report.naive.requests).toBe(320);
    expect(report.gateway.successRate).toBeGreaterThan(report.naive.successRate);
    expect(report.gateway.upstreamCalls).toBeLessThan(report.naive.upstreamCalls);
    expect(report.naive.status429).toBeGreaterThan(0);
    expect(report.gateway.rotationsSurvived).toBe(1);
    expect(report.naive.rotationsSurvived).toBe(0);
  });

  test('SIGINT stops every process it started and writes nothing', { timeout: 60_000 }, async () => {
    const reportFile = join(dir, 'interrupted', 'report.json');
    const run = demo(['--duration', '30', '--report', reportFile]);
    // Two simulators and a gateway, once the load runs.
    await until(() => / s of 30 /.test(run.stdout()), 'the first progress line');
    const children = childrenOf(run.pid);
    expect(children).toHaveLength(3);
    run.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(130);
    expect(run.stderr()).toMatch(/^demo: interrupted by SIGINT; every process it started has stopped, nothing was written\.\n$/);
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(reportFile)).toBe(false);
  });

  test('a server that dies during the run ends it at once: which one, exit 1, nothing written, nothing left behind', { timeout: 60_000 }, async () => {
    const reportFile = join(dir, 'crashed', 'report.json');
    const run = demo(['--duration', '30', '--report', reportFile]);
    await until(() => / s of 30 /.test(run.stdout()), 'the first progress line');
    const children = childrenOf(run.pid);
    const gateway = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('validation-gateway'));
    expect(gateway).toBeDefined();
    const killedAt = Date.now();
    process.kill(gateway!, 'SIGKILL');
    const { code } = await run.exit;
    expect(code).toBe(1);
    expect(Date.now() - killedAt).toBeLessThan(15_000); // not the 30 s the run was asked for
    expect(run.stderr()).toBe('demo: the gateway exited (SIGKILL) during the run; the run stopped, nothing was written.\n');
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(reportFile)).toBe(false);
  });

  test('SIGTERM during start-up leaves no process behind', { timeout: 60_000 }, async () => {
    const run = demo(['--duration', '30']);
    await until(() => childrenOf(run.pid).length > 0, 'the first child');
    const children = childrenOf(run.pid);
    run.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code).toBe(143);
    expect(children.filter(alive)).toEqual([]);
  });

  test('a port in use: one line saying which flag to change', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      for (const flag of ['--port', '--upstream-port']) {
        const run = demo([flag, String(port)]);
        const { code } = await run.exit;
        expect(code).toBe(1);
        expect(run.stderr()).toBe(`demo: port ${port} on 127.0.0.1 is in use; pick another with ${flag}, or leave ${flag} out for a free one.\n`);
      }
    } finally {
      server.close();
    }
  });

  test('a missing build: one line saying how to build', async () => {
    // The demo's own build and dependencies in a checkout where the apps were never built.
    const checkout = join(dir, 'unbuilt');
    cpSync(join(MAIN, '..'), join(checkout, 'tools/demo/dist'), { recursive: true });
    symlinkSync(fileURLToPath(new URL('../node_modules', import.meta.url)), join(checkout, 'tools/demo/node_modules'));
    const run = demo(['--duration', '5'], join(checkout, 'tools/demo/dist/main.js'));
    const { code } = await run.exit;
    expect(code).toBe(1);
    expect(run.stderr()).toBe('demo: apps/upstream-simulator/dist/main.js is missing: build first with `npx -y pnpm@10.34.9 exec tsc -b` (`npm run demo` does it for you).\n');
  });

  test('bad flags: exit 2 with what was expected', async () => {
    const cases: [string[], string][] = [
      [['--duration', 'soon'], 'demo: Expected `--duration` to be an integer from 3 to 3600, got "soon".\n'],
      [['--instances', '3'], 'demo: `--instances 3` needs REDIS_URL (the gateways share the upstream\'s rate limit through Redis), e.g. REDIS_URL=redis://127.0.0.1:6379.\n'],
      [['--fast'], 'demo: Unknown flag "--fast"; `npm run demo -- --help` lists them.\n'],
    ];
    for (const [args, message] of cases) {
      const run = demo(args);
      expect((await run.exit).code).toBe(2);
      expect(run.stderr()).toBe(message);
    }
  });
});
