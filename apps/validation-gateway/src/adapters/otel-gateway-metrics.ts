import type { Attributes, Counter, Meter, ObservableResult } from '@opentelemetry/api';
import { renderPrometheus } from '@bulwark/telemetry';
import type { AnswerSource } from '../ports/email-verdict.js';
import type { GatewayMetrics } from '../ports/gateway-metrics.js';
import type { PullMetricReader } from './pull-metric-reader.js';
import { RouteDurations } from './route-durations.js';

// The buckets of OpenTelemetry's HTTP semantic conventions, in seconds, with 1 ms at the bottom:
// a cache hit is answered well under 5 ms.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The request-duration histogram, recorded by the gateway and reported through its metric reader. */
export const requestDurations = (scope: string, now: () => number): RouteDurations =>
  new RouteDurations(scope, 'gateway.http.request.duration', 'Time to answer an HTTP request, by route.', DURATION_BUCKETS, now);

/**
 * A counter per attribute set kept in a map and handed to the SDK when /metrics is collected: the
 * request path pays a map increment, where a synchronous counter hashes its attribute set each time.
 */
class Tally {
  readonly #counts = new Map<string, { readonly attributes: Attributes; value: number }>();

  add(key: string, attributes: () => Attributes): void {
    const count = this.#counts.get(key);
    if (count !== undefined) count.value++;
    else this.#counts.set(key, { attributes: attributes(), value: 1 });
  }

  readonly observe = (result: ObservableResult): void => {
    for (const { attributes, value } of this.#counts.values()) result.observe(value, attributes);
  };
}

/**
 * Adapter: {@link GatewayMetrics} as OpenTelemetry instruments, rendered by `@bulwark/telemetry`'s
 * Prometheus formatter. The policies' own metrics (`bulwark_*`: breaker state and transitions, secret
 * rotations, retries, rate-limit waits, cache lookups) are recorded on the same meter by
 * `policyMetrics(meter).instrument(...)` in the composition root.
 */
export class OtelGatewayMetrics implements GatewayMetrics {
  readonly #reader: PullMetricReader;
  readonly #answers = new Tally();
  readonly #requests = new Tally();
  readonly #durations: RouteDurations;
  readonly #upstream: Counter;

  /** @param durations the request-duration histogram, which `reader` was made with as a producer */
  constructor(meter: Meter, reader: PullMetricReader, durations: RouteDurations) {
    this.#reader = reader;
    this.#durations = durations;
    meter.createObservableCounter('gateway.answers', { unit: '{answer}', description: 'Answers given, by where they came from (upstream, cache, stale, offline).' }).addCallback(this.#answers.observe);
    meter.createObservableCounter('gateway.http.requests', { unit: '{request}', description: 'HTTP requests served, by route, method and status.' }).addCallback(this.#requests.observe);
    this.#upstream = meter.createCounter('gateway.upstream.responses', { unit: '{response}', description: 'Responses received from the upstream, by status (429s included).' });
  }

  answered(source: AnswerSource): void {
    this.#answers.add(source, () => ({ source }));
  }

  request(route: string, method: string, status: number, durationMs: number): void {
    this.#requests.add(`${route} ${method} ${status}`, () => ({ route, method, status: String(status) }));
    this.#durations.record(route, durationMs / 1000);
  }

  upstreamResponse(status: number): void {
    this.#upstream.add(1, { status: String(status) });
  }

  render(): Promise<string> {
    return renderPrometheus(this.#reader);
  }
}
