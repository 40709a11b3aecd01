import { EventEmitter, type EventPayloads } from '@bulwark/core';
import { policyMetrics, renderPrometheus, usageTracker } from '@bulwark/telemetry';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Counter, Histogram, Registry, Summary } from 'prom-client';

// Shape: BenchSuite[] from @bulwark/test-utils.
class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const BATCH = 1_000;
const KEYS = 50;

// 1. One rate-limit event: ours records a counter and the wait histogram (two instruments), each
// through the cardinality cap.
const reader = new PullReader();
const meter = new MeterProvider({ readers: [reader] }).getMeter('bench');
const limited = new EventEmitter<EventPayloads['onRejected']>();
policyMetrics(meter, { keyAttribute: true }).instrument({ name: 'upstream', onRejected: limited.event });
const otelCounter = meter.createCounter('bench.raw', { unit: '{call}' });
const otelHistogram = meter.createHistogram('bench.raw.wait', { unit: 's' });

const promRegistry = new Registry();
const promCounter = new Counter({
  name: 'bulwark_rejections_total',
  help: 'Calls refused without running.',
  labelNames: ['bulwark_policy_name', 'bulwark_rejection_reason', 'bulwark_key'],
  registers: [promRegistry],
});
const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);

// 2. Latency percentiles per API.
const usage = usageTracker();
const promSummary = new Summary({
  name: 'bench_latency_ms',
  help: 'Latency.',
  labelNames: ['api'],
  percentiles: [0.5, 0.9, 0.95, 0.99],
  registers: [promRegistry],
});
let seed = 1;
const latency = (): number => {
  seed = (seed * 16807) % 2147483647;
  return 5 + (seed / 2147483647) * 500;
};

// 3. Rendering /metrics: the same families and series on both sides (a counter with 50 series,
// a 14-bucket histogram with 5 series).
const renderReader = new PullReader();
const renderMeter = new MeterProvider({ readers: [renderReader] }).getMeter('bench-render');
const renderCounter = renderMeter.createCounter('bench.requests', { unit: '{request}', description: 'Requests.' });
const bounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const renderHistogram = renderMeter.createHistogram('bench.duration', { unit: 's', description: 'Duration.', advice: { explicitBucketBoundaries: bounds } });
const renderRegistry = new Registry();
const promRenderCounter = new Counter({ name: 'bench_requests_total', help: 'Requests.', labelNames: ['key'], registers: [renderRegistry] });
const promRenderHistogram = new Histogram({ name: 'bench_duration_seconds', help: 'Duration.', labelNames: ['api'], buckets: bounds, registers: [renderRegistry] });
for (let i = 0; i < 5_000; i++) {
  renderCounter.add(1, { key: keys[i % KEYS]! });
  promRenderCounter.inc({ key: keys[i % KEYS]! });
  const v = latency() / 1000;
  renderHistogram.record(v, { api: `api-${i % 5}` });
  promRenderHistogram.observe({ api: `api-${i % 5}` }, v);
}

const suites = [
  {
    suite: 'count a labelled event (rate-limit rejection, 50 keys)',
    cases: [
      {
        name: '@bulwark/telemetry event -> counter + wait histogram',
        peer: null,
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) limited.emit({ name: 'upstream', key: keys[i % KEYS]!, retryAfterMs: 100, reason: 'denied' });
        },
      },
      {
        name: 'OTel SDK counter.add + histogram.record, direct',
        peer: '@opentelemetry/sdk-metrics',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) {
            otelCounter.add(1, { 'bulwark.policy.name': 'upstream', 'bulwark.rejection.reason': 'denied', 'bulwark.key': keys[i % KEYS]! });
            otelHistogram.record(0.1, { 'bulwark.policy.name': 'upstream', 'bulwark.rejection.reason': 'denied' });
          }
        },
      },
      {
        name: 'prom-client counter.inc(labels)',
        peer: 'prom-client',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) {
            promCounter.inc({ bulwark_policy_name: 'upstream', bulwark_rejection_reason: 'denied', bulwark_key: keys[i % KEYS]! });
          }
        },
      },
    ],
  },
  {
    suite: 'record a latency for percentiles (p50/p90/p95/p99)',
    cases: [
      {
        name: '@bulwark/telemetry usageTracker.record',
        peer: null,
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) usage.record('validate', keys[i % KEYS], latency(), true);
        },
      },
      {
        name: 'prom-client Summary.observe (t-digest)',
        peer: 'prom-client',
        batch: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) promSummary.observe({ api: 'validate' }, latency());
        },
      },
    ],
  },
  {
    suite: 'render /metrics (a counter of 50 series, a histogram of 5 series)',
    cases: [
      { name: '@bulwark/telemetry renderPrometheus(reader)', peer: null, fn: () => renderPrometheus(renderReader, { targetInfo: false }) },
      { name: 'prom-client registry.metrics()', peer: 'prom-client', fn: () => renderRegistry.metrics() },
    ],
  },
];

export default suites;
