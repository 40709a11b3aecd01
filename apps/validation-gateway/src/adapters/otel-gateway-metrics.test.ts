import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { OtelGatewayMetrics, requestDurations } from './otel-gateway-metrics.js';
import { PullMetricReader } from './pull-metric-reader.js';

function gatewayMetrics(): OtelGatewayMetrics {
  const durations = requestDurations('gateway-test', () => 1_700_000_000_000);
  const reader = new PullMetricReader({ metricProducers: [durations] });
  const provider = new MeterProvider({ readers: [reader] });
  return new OtelGatewayMetrics(provider.getMeter('gateway-test'), reader, durations);
}

describe('OtelGatewayMetrics', () => {
  it('renders request durations as a Prometheus histogram per route, in seconds', async () => {
    const metrics = gatewayMetrics();
    metrics.request('/v1/validate/email', 'POST', 200, 0.4);
    metrics.request('/v1/validate/email', 'POST', 200, 1); // on a boundary: counted in its bucket
    metrics.request('/v1/validate/email', 'POST', 429, 3);
    metrics.request('/v1/validate/email', 'POST', 200, 60_000); // above every boundary
    metrics.request('/health/ready', 'GET', 200, 2);
    const text = await metrics.render();
    const email = '{route="/v1/validate/email"';
    expect(text).toContain('# TYPE gateway_http_request_duration_seconds histogram');
    expect(text).toContain(`gateway_http_request_duration_seconds_bucket${email},le="0.001"} 2\n`);
    expect(text).toContain(`gateway_http_request_duration_seconds_bucket${email},le="0.0025"} 2\n`);
    expect(text).toContain(`gateway_http_request_duration_seconds_bucket${email},le="0.005"} 3\n`);
    expect(text).toContain(`gateway_http_request_duration_seconds_bucket${email},le="10"} 3\n`);
    expect(text).toContain(`gateway_http_request_duration_seconds_bucket${email},le="+Inf"} 4\n`);
    expect(text).toContain(`gateway_http_request_duration_seconds_count${email}} 4\n`);
    expect(text).toMatch(/^gateway_http_request_duration_seconds_sum\{route="\/v1\/validate\/email"\} 60\.0044\d*$/m);
    expect(text).toContain('gateway_http_request_duration_seconds_bucket{route="/health/ready",le="0.0025"} 1\n');
    expect(text).toMatch(/^gateway_http_requests_total\{method="POST",route="\/v1\/validate\/email",status="429"\} 1$/m);
  });

  it('renders the histogram again, its counts cumulative', async () => {
    const metrics = gatewayMetrics();
    metrics.request('/v1/validate/email', 'POST', 200, 0.4);
    await metrics.render();
    metrics.request('/v1/validate/email', 'POST', 200, 0.4);
    expect(await metrics.render()).toContain('gateway_http_request_duration_seconds_count{route="/v1/validate/email"} 2\n');
  });
});
