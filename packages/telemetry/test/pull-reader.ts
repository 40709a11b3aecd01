import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** A MetricReader that only collects when asked, as a /metrics endpoint does. */
export class TestPullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export function meterWithReader(name = 'test') {
  const reader = new TestPullReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, provider, meter: provider.getMeter(name) };
}
