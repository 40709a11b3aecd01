/** The parts of the gateway's `Server-Timing` header, in the order it writes them (`total` aside). */
export const PHASES = ['auth', 'limiter', 'cache', 'upstream-wait', 'upstream'] as const;

/** One part of a request's time. */
export type Phase = (typeof PHASES)[number];

/** The `dur` of each metric of a `Server-Timing` header (W3C syntax: `name;dur=12.3;desc="…", …`). */
function parseServerTiming(header: string): Map<string, number> {
  const durations = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.trim().split(';');
    if (name === undefined || name === '') continue;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key?.toLowerCase() === 'dur' && value !== undefined && Number.isFinite(Number(value))) durations.set(name, Number(value));
    }
  }
  return durations;
}

/** Means of the parts over the responses that carried the header. */
export interface TimingMeans {
  /** Responses whose header was read. */
  readonly samples: number;
  readonly phases: Readonly<Record<Phase, number>>;
  readonly total: number;
}

/** Adds up the `Server-Timing` headers of many responses. */
export class TimingSampler {
  #samples = 0;
  readonly #sums: Record<Phase | 'total', number> = { auth: 0, limiter: 0, cache: 0, 'upstream-wait': 0, upstream: 0, total: 0 };

  add(header: string | undefined): void {
    if (header === undefined) return;
    const durations = parseServerTiming(header);
    const total = durations.get('total');
    if (total === undefined) return;
    this.#samples++;
    this.#sums.total += total;
    for (const phase of PHASES) this.#sums[phase] += durations.get(phase) ?? 0;
  }

  means(): TimingMeans {
    const n = Math.max(1, this.#samples);
    const phases = Object.fromEntries(PHASES.map((p) => [p, this.#sums[p] / n])) as Record<Phase, number>;
    return { samples: this.#samples, phases, total: this.#sums.total / n };
  }
}

/** The name given to time the parts do not account for. */
const GATEWAY_ITSELF = 'the gateway itself';

/** Where a step's mean latency went, and its largest part. */
export interface Breakdown {
  /** Mean latency seen by the load generator, ms. */
  readonly latencyMs: number;
  /** Mean of each part, ms. */
  readonly phasesMs: Readonly<Record<Phase, number>>;
  /** `total` minus the parts: the gateway's own code (parsing, routing, serializing, logging), ms. */
  readonly gatewayMs: number;
  /** Latency seen by the client minus `total`: waiting to be read (a busy event loop) and the network, ms. */
  readonly queuedMs: number;
  /** Each part's share of the mean latency (0..1), `the gateway itself` being `gatewayMs + queuedMs`. */
  readonly shares: Readonly<Record<string, number>>;
  /** The part with the largest share. */
  readonly bottleneck: string;
}

/** Splits `latencyMs` into the sampled parts and the gateway's own time, and names the largest. */
export function breakdown(means: TimingMeans, latencyMs: number): Breakdown {
  const partsMs = PHASES.reduce((sum, p) => sum + means.phases[p], 0);
  const gatewayMs = Math.max(0, means.total - partsMs);
  const queuedMs = Math.max(0, latencyMs - means.total);
  const base = Math.max(latencyMs, means.total, Number.EPSILON);
  const shares: Record<string, number> = {};
  for (const p of PHASES) shares[p] = means.phases[p] / base;
  shares[GATEWAY_ITSELF] = (gatewayMs + queuedMs) / base;
  let bottleneck = GATEWAY_ITSELF;
  for (const [name, share] of Object.entries(shares)) if (share > shares[bottleneck]!) bottleneck = name;
  return { latencyMs, phasesMs: means.phases, gatewayMs, queuedMs, shares, bottleneck };
}
