import { MetricReader } from '@opentelemetry/sdk-metrics';

/** A reader that collects only when /metrics is scraped: no timer, no port of its own. */
export class PullMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}
