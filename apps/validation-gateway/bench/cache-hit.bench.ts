// The gateway's own cost per request, on its fastest path: a cache hit of POST /v1/validate/email
// (authentication, the caller's rate limit, a child container, the cache, metrics, a log line,
// Server-Timing), against a bare Fastify route answering the same JSON, in the same run, and against
// that route spinning a few µs a request first (what p99 at 50 connections leaves room for here).
// Each is a process of its own driven by autocannon over 50 loopback connections.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchSuite } from '@bulwark/test-utils';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const KEY = 'bench-caller-key-0123456789abcdef'; // bulwark-allow-secret: a made-up benchmark key
const BODY = JSON.stringify({ email: 'ada@lovelace.dev' });
const WORK_US = 10;

/**
 * Starts `node <script>` with its stdout in `logFile`, and resolves with its URL, from the first JSON
 * line it writes with one. The server's lines go to a file, as a log collector would take them, not
 * to a pipe this process reads: that would make the load generator's process read the gateway's
 * logs too, and wake it for every batch of them.
 */
function start(script: string, env: Record<string, string>, logFile: string): Promise<{ url: string; child: ChildProcess }> {
  const { NODE_OPTIONS: _, ...inherited } = process.env;
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [script], { env: { ...inherited, ...env }, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /"url":"(http:[^"]+)"/.exec(readFileSync(logFile, 'utf8'));
      if (match === null) return;
      clearInterval(poll);
      child.removeAllListeners('exit');
      resolve({ url: match[1]!, child });
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`${script} exited with ${code} before listening; its output is in ${logFile}.`));
    });
  });
}

/** The user and system CPU time a process has used, in nanoseconds (Linux, from /proc). */
function cpuNs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e7; // clock ticks of 10 ms
}

async function load(url: string, seconds: number): Promise<{ meanNs: number; p99Ns: number; non2xx: number; rps: number }> {
  const result = await autocannon({
    url: `${url}/v1/validate/email`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: BODY,
  });
  const rps = result.requests.total / (result.duration || seconds);
  return { meanNs: 1e9 / rps, p99Ns: result.latency.p99 * 1e6, non2xx: result.non2xx + result.errors, rps };
}

export default async function cacheHit(): Promise<BenchSuite[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  // The upstream answers the one request that fills the cache.
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ valid: true, reason: 'accepted', disposable: false, domain: 'lovelace.dev' }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  writeFileSync(join(dir, 'upstream.key'), 'bench-upstream-key-0123456789\n'); // bulwark-allow-secret: made-up
  writeFileSync(join(dir, 'callers.json'), JSON.stringify([{ id: 'bench', scopes: ['validate'], sha256: createHash('sha256').update(KEY).digest('hex') }]));
  const gateway = await start(fileURLToPath(new URL('../dist/main.js', import.meta.url)), {
    PORT: '0',
    UPSTREAM_URL: upstreamUrl,
    UPSTREAM_API_KEY_FILE: join(dir, 'upstream.key'),
    GATEWAY_API_KEYS_FILE: join(dir, 'callers.json'),
    REDIS_URL: '',
    CALLER_RATE_PER_SECOND: '1000000',
    CALLER_BURST: '1000000',
    NODE_ENV: 'production',
  }, join(dir, 'gateway.log'));
  const bare = await start(fileURLToPath(new URL('./bare-fastify.mjs', import.meta.url)), {}, join(dir, 'bare.log'));
  // The same bare route spinning WORK_US µs per request: how much work a route can add on this machine
  // before its p99 at 50 connections passes the goal's 5 ms, whoever does the work.
  const bareWork = await start(fileURLToPath(new URL('./bare-fastify.mjs', import.meta.url)), { BENCH_WORK_US: String(WORK_US) }, join(dir, 'bare-work.log'));
  // One upstream answer fills the cache; every request measured after it is a hit.
  const first = await fetch(`${gateway.url}/v1/validate/email`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: BODY });
  if (first.status !== 200) throw new Error(`The gateway answered ${first.status} to the first request.`);
  // Warm both up, one after the other, so that each is measured compiled and neither competes with the other.
  await load(gateway.url, 3);
  await load(bare.url, 3);
  await load(bareWork.url, 3);

  const measure = (url: string, name: string) => async () => {
    const run = await load(url, DURATION_S);
    if (run.non2xx > 0) throw new Error(`${name}: ${run.non2xx} responses were not 2xx.`);
    return run;
  };
  // The server's own CPU time per request: unlike requests per second, it holds on a busy machine,
  // where the load generator and other work take the cores from the server.
  const measureCpu = (server: { url: string; child: ChildProcess }, name: string) => async () => {
    const before = cpuNs(server.child.pid!);
    const result = await autocannon({
      url: `${server.url}/v1/validate/email`,
      method: 'POST',
      connections: CONNECTIONS,
      amount: 20_000,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: BODY,
    });
    if (result.non2xx + result.errors > 0) throw new Error(`${name}: ${result.non2xx + result.errors} responses were not 2xx.`);
    return { meanNs: (cpuNs(server.child.pid!) - before) / result.requests.total, p99Ns: result.latency.p99 * 1e6 };
  };
  return [
    {
      suite: `validation-gateway: cache-hit POST /v1/validate/email, ${CONNECTIONS} connections (hz = requests/s, p99 = latency)`,
      cases: [
        { name: 'validation-gateway (auth, caller limit, child container, cache, metrics, log line)', peer: null, measure: measure(gateway.url, 'gateway') },
        { name: 'bare Fastify route answering the same JSON', peer: 'baseline', measure: measure(bare.url, 'bare') },
        { name: `bare Fastify route spinning ${WORK_US} µs a request first`, peer: `baseline + ${WORK_US} µs of work`, measure: measure(bareWork.url, 'bare with work') },
      ],
    },
    {
      suite: `validation-gateway: cache-hit POST /v1/validate/email, server CPU time per request (hz = requests per CPU-second, p99 = latency)`,
      cases: [
        { name: 'validation-gateway (auth, caller limit, child container, cache, metrics, log line)', peer: null, measure: measureCpu(gateway, 'gateway') },
        { name: 'bare Fastify route answering the same JSON', peer: 'baseline', measure: measureCpu(bare, 'bare') },
      ],
      teardown: async () => {
        gateway.child.kill('SIGTERM');
        bare.child.kill('SIGTERM');
        bareWork.child.kill('SIGTERM');
        upstream.close();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  ];
}
