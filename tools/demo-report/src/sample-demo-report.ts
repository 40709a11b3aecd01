import { expectInteger, expectOptions, knownOptions, seededRandom } from '@bulwark/core';
import type { BreakerState, BucketMetrics, ClientMetrics, DemoGoal, DemoReport, TimelineEvent, TimelinePoint } from './demo-report.js';

/** Options of {@link sampleDemoReport}. */
export interface SampleDemoReportOptions {
  /** Length of the run, in seconds (one timeline point each). @default 60 */
  readonly seconds?: number;
  /** Seed of the made-up figures: the same seed gives the same report. @default 7 */
  readonly seed?: number;
}

const OPTIONS = knownOptions<SampleDemoReportOptions>('sampleDemoReport()', { seconds: ['duration', 'durationS'], seed: [] });
const RATE = 50;
const UPSTREAM_LIMIT = 20;

/**
 * A made-up but plausible {@link DemoReport} of a hard-profile run: about 20% upstream failures and a
 * rate limit below the offered load, a 10-second outage a third of the way in during which the
 * gateway's breaker opens and it answers offline, and one key rotation that the naive client does not
 * survive. Deterministic for a seed. For trying the renderer, tests and examples — not a measurement.
 */
export function sampleDemoReport(options: SampleDemoReportOptions = {}): DemoReport {
  expectOptions('options', options, OPTIONS);
  const seconds = options.seconds ?? 60;
  const seed = options.seed ?? 7;
  expectInteger('seconds', seconds, { min: 20, max: 86_400 });
  expectInteger('seed', seed);
  const random = seededRandom(seed);
  const around = (value: number, spread: number): number => value * (1 - spread + 2 * spread * random());

  const outageFrom = Math.round(seconds / 3);
  const outageTo = outageFrom + Math.min(10, Math.floor(seconds / 6));
  const rotationAt = Math.round(seconds * 0.7);
  const breakerAt = (t: number): BreakerState => {
    if (t < outageFrom + 1 || t > outageTo + 1) return 'closed';
    // Opens a second into the outage, probes every 5 s (the probe during the outage fails), closes
    // after the first probe past its end.
    if (t === outageTo + 1) return 'half-open';
    return (t - outageFrom - 1) % 5 === 4 && t < outageTo ? 'half-open' : 'open';
  };

  const points: TimelinePoint[] = [];
  for (let t = 0; t < seconds; t++) {
    const requests = Math.round(around(RATE, 0.06));
    const outage = t >= outageFrom && t < outageTo;
    const rejectedKey = t >= rotationAt && t < rotationAt + 3;
    // The naive client: a fifth of calls fail, the rate limit turns away a share more, nothing gets
    // through the outage, and the old key is refused for a few seconds after the rotation.
    const naiveOk = outage || rejectedKey ? 0 : Math.round(requests * around(0.68, 0.08));
    const naive: BucketMetrics = {
      requests,
      ok: Math.min(requests, naiveOk),
      p50Ms: outage ? around(2, 0.3) : around(95, 0.2),
      p99Ms: outage ? around(2_000, 0.02) : around(1_400, 0.35),
    };
    // The gateway: a cold cache for the first seconds, then mostly cache hits; offline answers
    // during the outage; a failed call now and then.
    const warm = Math.min(1, t / 8);
    const gatewayRequests = Math.round(around(RATE, 0.06));
    const failures = random() < 0.08 ? 1 : 0;
    const gateway: BucketMetrics = {
      requests: gatewayRequests,
      ok: gatewayRequests - failures,
      p50Ms: outage ? around(1.6, 0.2) : around(60 - 55 * warm, 0.15),
      p99Ms: outage ? around(25, 0.3) : around(420 - 180 * warm, 0.25),
    };
    // What reached the upstream: every naive request; from the gateway its cache misses, paced under
    // the limit, and nothing while the breaker is open.
    const upstream = { gateway: breakerAt(t) === 'open' ? 0 : Math.round(around(UPSTREAM_LIMIT * (1 - 0.7 * warm), 0.1)), naive: requests };
    points.push({ t, gateway, naive, breaker: breakerAt(t), upstream });
  }

  const events: TimelineEvent[] = [
    { t: outageFrom, kind: 'outage-start', label: 'outage starts' },
    { t: outageTo, kind: 'outage-end', label: 'outage ends' },
    { t: rotationAt, kind: 'rotation', label: 'API key rotated' },
  ];

  const total = (pick: (p: TimelinePoint) => BucketMetrics, key: 'requests' | 'ok'): number =>
    points.reduce((sum, p) => sum + pick(p)[key], 0);
  const percentile = (values: number[], q: number): number => {
    const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
    return Math.round(10 * (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)) / 10;
  };
  const transitions = points.filter((p, i) => i > 0 && p.breaker !== points[i - 1]?.breaker).length;
  const outageSeconds = outageTo - outageFrom;

  const gatewayRequests = total((p) => p.gateway, 'requests');
  const naiveRequests = total((p) => p.naive, 'requests');
  const gateway: ClientMetrics = {
    successRate: total((p) => p.gateway, 'ok') / gatewayRequests,
    p50Ms: percentile(points.map((p) => p.gateway.p50Ms ?? 0), 0.5),
    p95Ms: percentile(points.map((p) => p.gateway.p99Ms ?? 0), 0.3),
    p99Ms: percentile(points.map((p) => p.gateway.p99Ms ?? 0), 0.9),
    upstreamCalls: Math.round(gatewayRequests * 0.31),
    status429: 3,
    breakerTransitions: transitions,
    offlineAnswers: outageSeconds * RATE - 12,
    staleAnswers: 12,
    cacheAnswers: Math.round(gatewayRequests * 0.55),
    rotationsSurvived: 1,
    requests: gatewayRequests,
  };
  const naive: ClientMetrics = {
    successRate: total((p) => p.naive, 'ok') / naiveRequests,
    p50Ms: percentile(points.map((p) => p.naive.p50Ms ?? 0), 0.5),
    p95Ms: percentile(points.map((p) => p.naive.p99Ms ?? 0), 0.3),
    p99Ms: percentile(points.map((p) => p.naive.p99Ms ?? 0), 0.9),
    upstreamCalls: naiveRequests,
    status429: Math.round(naiveRequests * 0.12),
    breakerTransitions: 0,
    offlineAnswers: 0,
    staleAnswers: 0,
    cacheAnswers: 0,
    rotationsSurvived: 0,
    requests: naiveRequests,
  };
  const pct = (rate: number): string => `${(rate * 100).toFixed(2)}%`;
  const goals: DemoGoal[] = [
    {
      name: 'gateway success ≥ 99.5% where the naive client gets ≤ 80%',
      met: gateway.successRate >= 0.995 && naive.successRate <= 0.8,
      detail: `gateway ${pct(gateway.successRate)}, naive ${pct(naive.successRate)}`,
    },
    { name: 'no 429 from the upstream after the first burst', met: true, detail: `${gateway.status429} in the first second, 0 after` },
    { name: 'zero secrets in the logs', met: true, detail: '0 secret values found' },
    {
      name: 'fewer upstream calls than the naive client',
      met: gateway.upstreamCalls < naive.upstreamCalls,
      detail: `${gateway.upstreamCalls} against ${naive.upstreamCalls}`,
    },
  ];

  return {
    gateway,
    naive,
    secretsInLogs: 0,
    meta: { profile: 'hard', durationS: seconds, instances: 1, startedAt: '2026-12-06T12:00:00.000Z', ratePerSecond: RATE, seed, upstreamLimitPerSecond: UPSTREAM_LIMIT },
    timeline: { bucketMs: 1000, points, events },
    goals,
  };
}
