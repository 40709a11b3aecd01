// The demo's results in the shape of the report contract (the JSON `--report` writes, which
// tools/demo-report renders), and the goals checked against them.
import type { BucketMetrics, ClientMetrics, DemoGoal } from '@bulwark/demo-report';
import type { RequestRecord } from './drive.js';
import { percentile } from './percentile.js';

/** What the upstream simulator counted for one client (its `/_sim/stats`, the parts used here). */
export interface UpstreamCounts {
  readonly total: number;
  readonly status429: number;
  /** 429s per second of the run. */
  readonly timeline429: readonly number[];
  /** When each rotation's replaced key stopped being accepted, ms from the start of the run. */
  readonly rotationsOverlapEndMs: readonly number[];
}

const round = (ms: number | null): number => (ms === null ? 0 : Math.round(ms * 10) / 10);

export function clientMetrics(records: readonly RequestRecord[], upstream: UpstreamCounts, breakerTransitions: number): ClientMetrics {
  const latencies = records.map((r) => r.latencyMs).sort((a, b) => a - b);
  const ok = records.filter((r) => r.ok);
  const bySource = (source: string) => ok.filter((r) => r.source === source).length;
  // A rotation is survived when fresh answers from the upstream came after the old key stopped working.
  const rotationsSurvived = upstream.rotationsOverlapEndMs.filter((endMs, i) => {
    const nextEnd = upstream.rotationsOverlapEndMs[i + 1] ?? Infinity;
    return ok.some((r) => r.source === 'upstream' && r.startMs >= endMs && r.startMs < nextEnd);
  }).length;
  return {
    successRate: records.length === 0 ? 0 : ok.length / records.length,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    upstreamCalls: upstream.total,
    status429: upstream.status429,
    breakerTransitions,
    offlineAnswers: bySource('offline'),
    staleAnswers: bySource('stale'),
    cacheAnswers: bySource('cache'),
    rotationsSurvived,
    requests: records.length,
  };
}

export function timelineOf(records: readonly RequestRecord[], buckets: number): BucketMetrics[] {
  const groups: RequestRecord[][] = Array.from({ length: buckets }, () => []);
  for (const record of records) groups[Math.min(buckets - 1, Math.floor(record.startMs / 1000))]!.push(record);
  return groups.map((group) => {
    const latencies = group.map((r) => r.latencyMs).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    return { requests: group.length, ok: group.filter((r) => r.ok).length, p50Ms: p50 === null ? null : round(p50), p99Ms: p99 === null ? null : round(p99) };
  });
}

/** Seconds at the start of a run in which a 429 still counts as the first burst (before the limiter has learnt the pace). */
const FIRST_BURST_S = 2;

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export function goals(gateway: ClientMetrics, naive: ClientMetrics, gatewayUpstream: UpstreamCounts, secretsInLogs: number): DemoGoal[] {
  const late429 = gatewayUpstream.timeline429.slice(FIRST_BURST_S).reduce((a, b) => a + b, 0);
  const early429 = gatewayUpstream.status429 - late429;
  const okCount = (m: ClientMetrics) => Math.round(m.successRate * m.requests);
  return [
    {
      name: 'gateway success ≥ 99.5%',
      met: gateway.successRate >= 0.995,
      detail: `${pct(gateway.successRate)} (${okCount(gateway)} of ${gateway.requests} answered; ${gateway.offlineAnswers} offline, ${gateway.staleAnswers} stale)`,
    },
    { name: 'naive success ≤ 80%', met: naive.successRate <= 0.8, detail: `${pct(naive.successRate)} (${okCount(naive)} of ${naive.requests} answered)` },
    {
      name: 'no upstream 429 after the first burst',
      met: late429 === 0,
      detail: `${late429} after the first ${FIRST_BURST_S} s (${early429} before)`,
    },
    { name: 'no secret in any log', met: secretsInLogs === 0, detail: `${secretsInLogs} secret values found in everything the processes wrote` },
    {
      name: 'fewer upstream calls than naive',
      met: gateway.upstreamCalls < naive.upstreamCalls,
      detail: `${gateway.upstreamCalls} against ${naive.upstreamCalls}`,
    },
  ];
}
