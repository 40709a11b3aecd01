import type { AnswerSource } from './email-verdict.js';

/** Port: what the gateway counts, served at /metrics. */
export interface GatewayMetrics {
  /** One answer, by where it came from. */
  answered(source: AnswerSource): void;
  /** One HTTP request the gateway served. `route` is the route's pattern, never the raw URL. */
  request(route: string, method: string, status: number, durationMs: number): void;
  /** One response the upstream sent (a 429 included). */
  upstreamResponse(status: number): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
}
