// The runner as a user runs it: a process, two tiny steps per scenario, its table and its results file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'load-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the runner; `onOutput` sees its output so far each time it writes, with its pid. */
function runLoad(args: readonly string[], onOutput?: (stdout: string, pid: number) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    onOutput?.(stdout, child.pid!);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const KNOWN_BOTTLENECKS = ['auth', 'limiter', 'cache', 'upstream-wait', 'upstream', 'the gateway itself'];

test('two tiny steps of each scenario: a table, results with every figure, a bottleneck named, nothing left running', async () => {
  const out = join(dir, 'load.json');
  const { code, stdout, stderr } = await runLoad(['--rates', '20,40', '--step-seconds', '1', '--ratio-seconds', '1', '--out', out]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/rate\/s +got\/s +p50 +p97\.5 +p99 +errors/);
  expect(stdout).toContain('bottleneck');

  const results = JSON.parse(readFileSync(out, 'utf8'));
  expect(results.scenarios.map((s: { name: string }) => s.name)).toEqual(['cache-hit', 'cache-miss']);
  for (const scenario of results.scenarios) {
    expect(scenario.steps.length).toBeGreaterThanOrEqual(1);
    for (const step of scenario.steps) {
      expect(step).toMatchObject({ targetRps: expect.any(Number), rps: expect.any(Number), errorsByStatus: expect.any(Object), sources: expect.any(Object) });
      expect(Object.keys(step.latencyMs).sort()).toEqual(['max', 'mean', 'p50', 'p97_5', 'p99']);
      expect(step.serverTiming.samples).toBeGreaterThan(0);
      expect(Object.keys(step.breakdown.phasesMs)).toEqual(['auth', 'limiter', 'cache', 'upstream-wait', 'upstream']);
      expect(KNOWN_BOTTLENECKS).toContain(step.breakdown.bottleneck);
      expect(stdout).toContain(step.breakdown.bottleneck);
    }
  }
  // Every answer of the warmed hit scenario came from the cache; the misses went to the upstream.
  expect(Object.keys(results.scenarios[0].steps[0].sources)).toEqual(['cache']);
  expect(results.scenarios[1].steps[0].breakdown.phasesMs.upstream).toBeGreaterThan(0);

  expect(results.overhead).toMatchObject({ ratio: expect.any(Number), gateway: { rps: expect.any(Number), p99Ms: expect.any(Number) }, bare: { rps: expect.any(Number) } });
  const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
  expect(latest.find((r: { peer: string | null }) => r.peer === 'baseline')).toMatchObject({ ratio: expect.any(Number) });

  expect(results.processes.map((p: { name: string }) => p.name)).toEqual(['the upstream simulator', 'the gateway', 'the bare Fastify route']);
  for (const { pid } of results.processes) expect(isRunning(pid)).toBe(false);
}, 90_000);

test('a bad flag is named with what was expected', async () => {
  const { code, stderr } = await runLoad(['--rates', '100,50']);
  expect(code).toBe(2);
  expect(stderr).toContain('Expected `--rates` to be ascending requests per second, got "100,50".');
});

test('Ctrl-C stops every process it started, by pid', async () => {
  let sent = false;
  const { code, stdout, stderr } = await runLoad(['--rates', '20', '--step-seconds', '30', '--ratio-seconds', '0', '--scenarios', 'hit', '--out', join(dir, 'interrupted.json')], (output, pid) => {
    if (!sent && output.includes('cache-hit:')) {
      sent = true;
      process.kill(pid, 'SIGINT');
    }
  });
  expect(code).toBe(130);
  expect(stderr).toContain('SIGINT: stopping the processes it started');
  const pids = [...stdout.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  expect(pids).toHaveLength(2);
  for (const pid of pids) expect(isRunning(pid)).toBe(false);
}, 60_000);
