import autocannon, { type RequestSpec } from 'autocannon';
import { breakdown, TimingSampler, type Breakdown, type TimingMeans } from './server-timing.js';

const SOURCE = /"source":"(\w+)"/;

/** The requests of one scenario. */
export interface Traffic {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body of each request (called once per request). */
  readonly body: () => string;
}

/** What one step measured. */
export interface StepResult {
  /** Requests per second asked of the load generator. */
  readonly targetRps: number;
  /** Responses per second received. */
  readonly rps: number;
  readonly requests: number;
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p97_5: number; readonly p99: number; readonly max: number };
  /** Responses that were not 2xx, by status; `errors` and `timeouts` of the connections too. */
  readonly errorsByStatus: Readonly<Record<string, number>>;
  /** 2xx answers by the `source` they gave (`cache`, `upstream`, `stale`, `offline`). */
  readonly sources: Readonly<Record<string, number>>;
  readonly serverTiming: TimingMeans;
  readonly breakdown: Breakdown;
  /** What the upstream answered during the step, by status (from the simulator's counts), when it was asked. */
  readonly upstreamByStatus?: Readonly<Record<string, number>>;
  /** Whether p99 passed the bound (the last step of a scenario, when it did). */
  readonly overBound: boolean;
}

/** Drives `url` with `traffic` at `rate` requests per second for `seconds`, reading every response's `Server-Timing`. */
export async function runStep(url: string, traffic: Traffic, rate: number | undefined, seconds: number, connections: number, p99BoundMs: number): Promise<StepResult> {
  const sampler = new TimingSampler();
  const sources: Record<string, number> = {};
  const request: RequestSpec = {
    method: 'POST',
    path: traffic.path,
    headers: { ...traffic.headers },
    setupRequest: (r) => ({ ...r, body: traffic.body() }),
    onResponse: (status, body, _context, headers) => {
      sampler.add(headers['server-timing']);
      const source = status < 300 ? SOURCE.exec(body)?.[1] : undefined;
      if (source !== undefined) sources[source] = (sources[source] ?? 0) + 1;
    },
  };
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 30,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: [request],
  });
  const errorsByStatus: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) if (!status.startsWith('2')) errorsByStatus[status] = count;
  if (result.errors > 0) errorsByStatus.errors = result.errors;
  if (result.timeouts > 0) errorsByStatus.timeouts = result.timeouts;
  const latencyMs = { mean: result.latency.mean, p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max };
  const means = sampler.means();
  return {
    targetRps: rate ?? Number.POSITIVE_INFINITY,
    rps: result.requests.total / (result.duration || seconds),
    requests: result.requests.total,
    latencyMs,
    errorsByStatus,
    sources,
    serverTiming: means,
    breakdown: breakdown(means, latencyMs.mean),
    overBound: latencyMs.p99 > p99BoundMs,
  };
}

/** Steps through `rates` until one's p99 passes `p99BoundMs` (that step included); reports each step as it ends. */
export async function runSteps(
  url: string,
  traffic: Traffic,
  options: {
    readonly rates: readonly number[];
    readonly seconds: number;
    readonly connections: number;
    readonly p99BoundMs: number;
    /** The upstream's responses so far, by status: each step then reports its own. */
    readonly upstreamCounts?: () => Promise<Readonly<Record<string, number>>>;
  },
  onStep: (step: StepResult) => void,
): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  for (const rate of options.rates) {
    const before = await options.upstreamCounts?.();
    let step = await runStep(url, traffic, rate, options.seconds, options.connections, options.p99BoundMs);
    if (before !== undefined && options.upstreamCounts !== undefined) {
      const after = await options.upstreamCounts();
      const upstreamByStatus: Record<string, number> = {};
      for (const [status, n] of Object.entries(after)) if (n - (before[status] ?? 0) > 0) upstreamByStatus[status] = n - (before[status] ?? 0);
      step = { ...step, upstreamByStatus };
    }
    steps.push(step);
    onStep(step);
    if (step.overBound) break;
  }
  return steps;
}
