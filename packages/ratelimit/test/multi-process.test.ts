import type { ChildProcess } from 'node:child_process';
import { describeRedis, forkBuiltWorker, nextMessage, redisUrl, useRedis } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';

const WORKER = new URL('./worker.mjs', import.meta.url);
const DIST = new URL('../dist/index.js', import.meta.url);
const PROCESSES = 4;
const WINDOW_MS = 300;
const LIMIT = 40;
const WINDOWS = 12;
// Enough burst to absorb a process starved of CPU for a few intervals on a busy machine.
const BURST = 10;
const LEASE = 4;

interface Done {
  admitted: Record<string, number[]>;
  fallbacks: number;
}

const children: ChildProcess[] = [];

describeRedis('four processes sharing one Redis', () => {
  const redis = useRedis();
  let results: Done[] = [];

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  const scenarios = [
    { name: 'gcra', key: 'g', limits: { limit: LIMIT, windowMs: WINDOW_MS, burst: BURST } },
    { name: 'fixed', key: 'f', limits: { algorithm: 'fixed-window', limit: LIMIT, windowMs: WINDOW_MS } },
    { name: 'sliding', key: 's', limits: { algorithm: 'sliding-window', limit: LIMIT, windowMs: WINDOW_MS } },
    // Local batching: leased decisions are timed by each process's clock (the same machine's as Redis's).
    { name: 'leased', key: 'l', limits: { algorithm: 'fixed-window', limit: LIMIT, windowMs: WINDOW_MS }, lease: { size: LEASE, ttlMs: WINDOW_MS } },
  ];

  test(`${PROCESSES} processes over ${WINDOWS} windows: no limit exceeded, at least 95% of it used`, async () => {
    const job = { redisUrl, prefix: redis.prefix, scenarios, durationMs: WINDOW_MS * WINDOWS, concurrency: 1 };
    for (let i = 0; i < PROCESSES; i++) children.push(forkBuiltWorker(WORKER, { built: DIST }));
    const ready = children.map((c) => nextMessage(c, 'ready', 15_000));
    for (const c of children) c.send(job);
    await Promise.all(ready);
    const done = children.map((c) => nextMessage<Done>(c, 'done', WINDOW_MS * WINDOWS + 15_000));
    for (const c of children) c.send({ type: 'go' });
    results = await Promise.all(done);
    expect(results.reduce((n, r) => n + r.fallbacks, 0)).toBe(0);

    const times = (name: string) => results.flatMap((r) => r.admitted[name] ?? []).sort((a, b) => a - b);

    // GCRA: over any span, admitted ≤ burst + span / interval (+ 1 for Redis times floored to the ms).
    const g = times('gcra');
    const interval = WINDOW_MS / LIMIT;
    for (let i = 0; i < g.length; i++) {
      for (let j = i; j < g.length && g[j]! - g[i]! < 2 * WINDOW_MS; j++) {
        expect(j - i + 1).toBeLessThanOrEqual(BURST + (g[j]! - g[i]! + 1) / interval + 1e-9);
      }
    }
    const span = g.at(-1)! - g[0]!;
    expect(g.length).toBeGreaterThanOrEqual(0.95 * (span / interval));

    // Windows: count per aligned window (Redis time); inner windows are complete.
    const perWindow = (ts: number[]) => {
      const counts = new Map<number, number>();
      for (const t of ts) counts.set(Math.floor(t / WINDOW_MS), (counts.get(Math.floor(t / WINDOW_MS)) ?? 0) + 1);
      const ws = [...counts.keys()].sort((a, b) => a - b);
      return { counts, inner: ws.slice(1, -1) };
    };
    for (const name of ['fixed', 'sliding', 'leased']) {
      const { counts, inner } = perWindow(times(name));
      expect(inner.length, name).toBeGreaterThanOrEqual(WINDOWS - 3);
      // The documented bound of local batching: processes × (lease size − 1) beyond the limit.
      const bound = name === 'leased' ? LIMIT + PROCESSES * (LEASE - 1) : LIMIT;
      for (const c of counts.values()) expect(c, name).toBeLessThanOrEqual(bound);
      const used = inner.reduce((n, w) => n + (counts.get(w) ?? 0), 0);
      expect(used, name).toBeGreaterThanOrEqual(0.95 * LIMIT * inner.length);
    }

    // Sliding window, its documented guarantee: at each admission, previous × (1 − elapsed) + current ≤ limit
    // (elapsed measured on Redis times floored to the ms, hence the one-millisecond slack).
    const s = times('sliding');
    const { counts } = perWindow(s);
    const seen = new Map<number, number>();
    for (const t of s) {
      const w = Math.floor(t / WINDOW_MS);
      const current = (seen.get(w) ?? 0) + 1;
      seen.set(w, current);
      const previous = counts.get(w - 1) ?? 0;
      const elapsed = (t - w * WINDOW_MS) / WINDOW_MS;
      expect(previous * (1 - elapsed - 1 / WINDOW_MS) + current).toBeLessThanOrEqual(LIMIT + 1e-9);
    }
  });
});
