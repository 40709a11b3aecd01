import type { ChildProcess } from 'node:child_process';
import { describeNginx, describeRedis, forkBuiltWorker, nextMessage, redisUrl, useNginx, useRedis } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';

// A learning limiter against a real server: nginx's limit_req at 5 requests a second with a burst
// of 2 (so 3 at once), answering 429. Each location is its own zone, and each test its own set of
// locations, so the tests run side by side. The clients run as OS processes of their own
// (learning-worker.mjs, against the built package), one alone or four sharing Redis.
const RATE = 5;
const DURATION_MS = 6_000;
const WORKER = new URL('./learning-worker.mjs', import.meta.url);
const DIST = new URL('../dist/index.js', import.meta.url);

// Three ways a server speaks (nginx computes no counts: the per-response fields exist only on a 429):
//   ietf:   RateLimit-Policy on every response; on a 429, Retry-After and an exhausted RateLimit;
//   retry:  a 429 with Retry-After alone;
//   github: GitHub's legacy fields: X-RateLimit-Limit on every response; on a 429,
//           X-RateLimit-Remaining: 0 and X-RateLimit-Reset in epoch seconds (the first whole
//           second at which nginx takes a request again).
const KINDS = {
  ietf: `add_header RateLimit-Policy '"api";q=${RATE};w=1' always; add_header RateLimit $ietf_exhausted always; add_header Retry-After $refused_retry_after always;`,
  retry: 'add_header Retry-After $refused_retry_after always;',
  github: `add_header X-RateLimit-Limit ${RATE} always; add_header X-RateLimit-Remaining $github_remaining always; add_header X-RateLimit-Reset $github_reset always;`,
} as const;
type Kind = keyof typeof KINDS;
const GROUPS = ['format', 'single', 'multi', 'configured'] as const;

/**
 * `$msec` (`1767225600.123`) to the first whole epoch second at least 200 ms away (one unit at
 * 5/s): the next second, or the one after when less than 200 ms remain. nginx has no arithmetic, so
 * each ending of the seconds gets a regular expression; an ending of nines carries over.
 */
function resetMap(): string {
  const lines: string[] = [];
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  for (const [fraction, add] of [['[0-7]', 1], ['[89]', 2]] as const) {
    for (let last = 0; last < 100; last++) {
      // Two last digits, and as many nines before them as a carry needs (up to five).
      if (last + add < 100) {
        lines.push(`    "~^(?<p>\\d*)${pad(last, 2)}\\.${fraction}" "\${p}${pad(last + add, 2)}";`);
        continue;
      }
      for (let nines = 0; nines <= 5; nines++) {
        for (let digit = 0; digit <= 8; digit++) {
          lines.push(`    "~^(?<p>\\d*)${digit}${'9'.repeat(nines)}${pad(last, 2)}\\.${fraction}" "\${p}${digit + 1}${'0'.repeat(nines)}${pad(last + add - 100, 2)}";`);
        }
      }
    }
  }
  return lines.join('\n');
}

const location = (group: string, kind: Kind) => `
    location = /${group}/${kind} {
      limit_req zone=${group}_${kind} burst=2 nodelay;
      limit_req_status 429;
      ${KINDS[kind]}
      try_files /ok =404;
    }`;

interface PathResult {
  ok: number[];
  refused: number[];
  other: number;
}
interface Done {
  results: Record<string, PathResult>;
  fallbacks: number;
}

const children: ChildProcess[] = [];

/** Runs `processes` clients of `job` side by side and merges their results per path. */
async function run(processes: number, job: Record<string, unknown>): Promise<Record<string, PathResult>> {
  const mine = Array.from({ length: processes }, () => forkBuiltWorker(WORKER, { built: DIST }));
  children.push(...mine);
  const ready = mine.map((c) => nextMessage(c, 'ready', 15_000));
  for (const c of mine) c.send({ durationMs: DURATION_MS, concurrency: 1, warmUrl: `${job.baseUrl}/warm`, ...job });
  await Promise.all(ready);
  const done = mine.map((c) => nextMessage<Done>(c, 'done', DURATION_MS + 40_000));
  for (const c of mine) c.send({ type: 'go' });
  const all = await Promise.all(done);
  expect(all.reduce((n, d) => n + d.fallbacks, 0)).toBe(0);
  const merged: Record<string, PathResult> = {};
  for (const { results } of all) {
    for (const [path, r] of Object.entries(results)) {
      const m = (merged[path] ??= { ok: [], refused: [], other: 0 });
      m.ok.push(...r.ok);
      m.refused.push(...r.refused);
      m.other += r.other;
    }
  }
  for (const r of Object.values(merged)) {
    r.ok.sort((a, b) => a - b);
    r.refused.sort((a, b) => a - b);
  }
  return merged;
}

/** Successes within the run over what the server's rate allows in it. */
const throughput = (r: PathResult, fromMs = 0) => r.ok.filter((t) => t >= fromMs && t <= DURATION_MS).length / ((RATE * (DURATION_MS - fromMs)) / 1_000);

/** What each test found, printed once at the end (429s and throughput per location). */
const report: string[] = [];

describeNginx('a learning limiter against nginx limit_req', () => {
  const nginx = useNginx({
    files: { ok: 'ok\n' },
    http: ({ port, root }) => `
  ${GROUPS.flatMap((g) => Object.keys(KINDS).map((k) => `limit_req_zone $server_name zone=${g}_${k}:64k rate=${RATE}r/s;`)).join('\n  ')}
  map $status $refused_retry_after { 429 1; default ""; }
  map $status $ietf_exhausted { 429 '"api";r=0;t=1'; default ""; }
  map $status $github_remaining { 429 0; default ""; }
  map $msec $github_reset {
${resetMap()}
  }
  server {
    listen 127.0.0.1:${port};
    server_name bulwark-learn;
    root ${root};
    ${GROUPS.flatMap((g) => (Object.keys(KINDS) as Kind[]).map((k) => location(g, k))).join('\n')}
    location = /warm { try_files /ok =404; }
  }`,
  });

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (report.length > 0) console.log(`learning against nginx (${RATE}/s, burst 2, ${DURATION_MS / 1_000} s):\n  ${report.join('\n  ')}`);
  });

  test('the locations answer as described: nginx computes the refused responses\' fields', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await fetch(`${nginx.url}/format/github`));
    const refused = answers.at(-1)!;
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0]!.headers.get('x-ratelimit-remaining')).toBeNull();
    const reset = Number(refused.headers.get('x-ratelimit-reset'));
    expect(reset * 1_000 - Date.now()).toBeGreaterThan(100);
    expect(reset * 1_000 - Date.now()).toBeLessThanOrEqual(2_000);
    for (const r of answers) await r.arrayBuffer();
  });

  // Each client sends one request at a time, as fast as its limiter allows (and retries a refused one).
  test('one process, no configured limit: at most one 429 per key on the servers that state a rate, every request succeeds, ≥ 90% of the rate; and one configured at 10/s converges within two windows, with no 429 after', async () => {
    const [alone, configured] = await Promise.all([
      run(1, { baseUrl: nginx.url, paths: ['/single/ietf', '/single/github', '/single/retry'] }),
      run(1, { baseUrl: nginx.url, paths: ['/configured/ietf', '/configured/github'], limits: { limit: 2 * RATE, windowMs: 1_000 } }),
    ]);
    for (const [path, r] of Object.entries(alone)) {
      report.push(`1 process:        ${path.padEnd(18)} 429s: ${r.refused.length}, throughput ${(throughput(r) * 100).toFixed(0)}% of ${RATE}/s`);
      expect(r.other, path).toBe(0);
    }
    for (const path of ['/single/ietf', '/single/github']) {
      expect(alone[path]!.refused.length, path).toBeLessThanOrEqual(1);
      expect(throughput(alone[path]!), path).toBeGreaterThanOrEqual(0.9);
    }
    // Retry-After alone says when, never how fast: AIMD finds the rate, at a refusal per probe (see the README).
    expect(alone['/single/retry']!.refused.length).toBeLessThanOrEqual(4);
    expect(throughput(alone['/single/retry']!)).toBeGreaterThanOrEqual(0.6);

    for (const [path, r] of Object.entries(configured)) {
      report.push(
        `10/s configured:  ${path.padEnd(18)} 429s: ${r.refused.length} (${r.refused.filter((t) => t > 2_000).length} after 2 s), throughput after 2 s ${(throughput(r, 2_000) * 100).toFixed(0)}%`,
      );
      expect(r.refused.filter((t) => t > 2_000), path).toEqual([]);
      expect(throughput(r, 2_000), path).toBeGreaterThanOrEqual(0.9);
      expect(throughput(r, 2_000), path).toBeLessThanOrEqual(1.1);
    }
  });

  describeRedis('four processes sharing Redis', () => {
    const redis = useRedis();
    test('four processes, no configured limit: what one learns paces all; every request succeeds; at most one 429 and ≥ 90% of the rate on the servers that state one', async () => {
      const results = await run(4, { baseUrl: nginx.url, paths: ['/multi/ietf', '/multi/github', '/multi/retry'], redisUrl, prefix: redis.prefix });
      for (const [path, r] of Object.entries(results)) {
        report.push(`4 processes:      ${path.padEnd(18)} 429s: ${r.refused.length}, throughput ${(throughput(r) * 100).toFixed(0)}% of ${RATE}/s`);
        expect(r.other, path).toBe(0);
      }
      // On both servers that state a rate, one 429 at most across the four: GitHub's fields name the
      // limit on every response but its window only on a 429, and until then the calls go one at a time.
      for (const path of ['/multi/ietf', '/multi/github']) {
        expect(results[path]!.refused.length, path).toBeLessThanOrEqual(1);
        expect(throughput(results[path]!), path).toBeGreaterThanOrEqual(0.9);
      }
      expect(results['/multi/retry']!.refused.length).toBeLessThanOrEqual(8);
      expect(throughput(results['/multi/retry']!)).toBeGreaterThanOrEqual(0.6);
    });
  });
});
