/**
 * The JSON `npm run demo -- --report FILE` writes: the same load driven through the gateway and
 * through a naive client, side by side. One shape, shared by the demo runner (which writes it) and
 * {@link renderHtmlReport} (which draws it).
 */
export interface DemoReport {
  /** What the client going through the validation gateway saw. */
  readonly gateway: ClientMetrics;
  /** What the naive client (plain `fetch`, no policies) saw. */
  readonly naive: ClientMetrics;
  /** Secret values found in everything either process wrote. Must be 0. */
  readonly secretsInLogs: number;
  /** How the run was set up. */
  readonly meta: DemoMeta;
  /** The run, bucket by bucket, and what happened when. */
  readonly timeline: DemoTimeline;
  /** The goals of the run and whether each was met. */
  readonly goals: readonly DemoGoal[];
}

/** One client's totals over the whole run. Durations are milliseconds. */
export interface ClientMetrics {
  /** Answered requests over all requests, from 0 to 1. */
  readonly successRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Calls that reached the upstream API (the simulator's count). */
  readonly upstreamCalls: number;
  /** 429 answers received from the upstream. */
  readonly status429: number;
  /** Circuit-breaker state changes (0 for a client without a breaker). */
  readonly breakerTransitions: number;
  /** Answers served by local validation while the upstream was unreachable. */
  readonly offlineAnswers: number;
  /** Answers served from an expired cache entry. */
  readonly staleAnswers: number;
  /** Answers served from a fresh cache entry. */
  readonly cacheAnswers: number;
  /** Upstream key rotations after which the client kept being answered. */
  readonly rotationsSurvived: number;
  /** Requests sent. */
  readonly requests: number;
}

/** How the run was set up. */
export interface DemoMeta {
  /** The simulator's fault profile: `'hard'`. */
  readonly profile: string;
  readonly durationS: number;
  /** Gateway instances (more than one shares state in Redis). */
  readonly instances: number;
  /** When the run started, an ISO 8601 timestamp. */
  readonly startedAt: string;
  /** Requests per second offered to each client. */
  readonly ratePerSecond: number;
  /** The seed of the request stream and the faults, or `null` when unseeded. */
  readonly seed: number | null;
  /** The upstream's own rate limit, calls per second per key (the simulator's quota). */
  readonly upstreamLimitPerSecond: number;
}

/** The run over time. */
export interface DemoTimeline {
  /** The width of one bucket of {@link DemoTimeline.points}, in milliseconds (1000). */
  readonly bucketMs: number;
  /** One point per bucket, in time order. */
  readonly points: readonly TimelinePoint[];
  /** What happened when: the outage and the key rotations. */
  readonly events: readonly TimelineEvent[];
}

/** One bucket of the run. */
export interface TimelinePoint {
  /** The bucket's start, in seconds since the run started. */
  readonly t: number;
  readonly gateway: BucketMetrics;
  readonly naive: BucketMetrics;
  /** The gateway's circuit-breaker state at the end of the bucket. */
  readonly breaker: BreakerState;
  /** Calls that reached the upstream in the bucket, from each client (the simulators' counts). */
  readonly upstream: { readonly gateway: number; readonly naive: number };
}

/** One client's requests in one bucket. */
export interface BucketMetrics {
  /** Requests that finished in the bucket. */
  readonly requests: number;
  /** Those that were answered. */
  readonly ok: number;
  /** Latency percentiles of the bucket's requests, or `null` when it had none. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** A circuit breaker's state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Something that happened during the run, drawn as a marker across the charts. */
export interface TimelineEvent {
  /** Seconds since the run started. */
  readonly t: number;
  readonly kind: TimelineEventKind;
  /** What the marker says: `'outage starts'`. */
  readonly label: string;
}

/** The kinds of {@link TimelineEvent}. */
export type TimelineEventKind = 'outage-start' | 'outage-end' | 'rotation';

/** A goal of the run. */
export interface DemoGoal {
  readonly name: string;
  readonly met: boolean;
  /** The figures behind the verdict: `'99.8% ≥ 99.5%'`. */
  readonly detail: string;
}
