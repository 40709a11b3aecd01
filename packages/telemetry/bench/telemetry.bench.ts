import assert from 'node:assert/strict';
import { EventEmitter, type EventPayloads } from '@bulwark/core';
import { formatPrometheus, policyMetrics, renderPrometheus, usageTracker } from '@bulwark/telemetry';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Counter, Histogram, Registry, Summary } from 'prom-client';

// Shape: BenchFile from @bulwark/test-utils.
//
// What each side does, suite by suite (the set-up below checks, before anything is timed, that the
// sides hold the same series):
// 1. Count a labelled event. Ours: a rate limiter's `onRejected` event (no wait known) through
//    `policyMetrics(meter, { keyAttribute: true })` into `bulwark.rejections`, labels policy, reason
//    and key, through the cardinality cap. The OpenTelemetry SDK: `counter.add(1, attributes)` on a
//    synchronous counter with the same three attributes. prom-client: `counter.inc(labels)` with the
//    same three labels. 50 keys, so 50 series on every side.
// 2. The same event with its wait (`retryAfterMs`): ours records the counter and the wait histogram
//    (`bulwark.rejection.retry_after`, labels policy and reason, 12 buckets); the SDK and prom-client
//    a counter and a histogram with the same labels and buckets. A baseline shows the SDK's
//    `histogram.record` alone: ours hands every wait to the SDK's histogram as it comes.
// 3. Latency percentiles: usageTracker.record against prom-client's Summary.
// 4. Render /metrics: the same two families with the same series on both sides (a counter of 50
//    series, a 14-bucket histogram of 5 series), collected and written as Prometheus text.
class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const BATCH = 1_000;
const KEYS = 50;
const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Ours: a rejection event, recorded by policyMetrics. Each suite has a meter of its own. */
function oursOn(name: string) {
  const reader = new PullReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter(name);
  const rejected = new EventEmitter<EventPayloads['onRejected']>();
  policyMetrics(meter, { keyAttribute: true }).instrument({ name: 'upstream', onRejected: rejected.event });
  return { reader, rejected };
}

/** The OpenTelemetry SDK called directly, with the attributes ours records. */
function otelOn(name: string) {
  const reader = new PullReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter(name);
  return {
    reader,
    counter: meter.createCounter('bench.rejections', { unit: '{call}' }),
    histogram: meter.createHistogram('bench.rejection.retry_after', { unit: 's', advice: { explicitBucketBoundaries: WAIT_BUCKETS } }),
  };
}

/** prom-client with the labels ours records (as Prometheus names them). */
function promOn() {
  const registry = new Registry();
  return {
    registry,
    counter: new Counter({
      name: 'bulwark_rejections_total',
      help: 'Calls refused without running.',
      labelNames: ['bulwark_policy_name', 'bulwark_rejection_reason', 'bulwark_key'],
      registers: [registry],
    }),
    histogram: new Histogram({
      name: 'bulwark_rejection_retry_after_seconds',
      help: 'How long a refused caller was told to wait.',
      labelNames: ['bulwark_policy_name', 'bulwark_rejection_reason'],
      buckets: WAIT_BUCKETS,
      registers: [registry],
    }),
  };
}

async function seriesOf(reader: PullReader): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const scope of (await reader.collect()).resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) out.set(metric.descriptor.name, metric.dataPoints.length);
  }
  return out;
}

async function promSeriesOf(metric: Counter | Histogram): Promise<number> {
  const { values } = await metric.get();
  return new Set(values.map((v) => JSON.stringify(Object.entries(v.labels).filter(([k]) => k !== 'le')))).size;
}

export default async function suites() {
  // 1. A counter.
  const count = { ours: oursOn('count'), otel: otelOn('count'), prom: promOn() };
  const countOurs = () => {
    for (let i = 0; i < BATCH; i++) count.ours.rejected.emit({ name: 'upstream', key: keys[i % KEYS]!, retryAfterMs: undefined, reason: 'denied' });
  };
  const countOtel = () => {
    for (let i = 0; i < BATCH; i++) {
      count.otel.counter.add(1, { 'bulwark.policy.name': 'upstream', 'bulwark.rejection.reason': 'denied', 'bulwark.key': keys[i % KEYS]! });
    }
  };
  const countProm = () => {
    for (let i = 0; i < BATCH; i++) {
      count.prom.counter.inc({ bulwark_policy_name: 'upstream', bulwark_rejection_reason: 'denied', bulwark_key: keys[i % KEYS]! });
    }
  };
  countOurs();
  countOtel();
  countProm();
  const countSeries = await seriesOf(count.ours.reader);
  assert.equal(countSeries.get('bulwark.rejections'), KEYS);
  assert.equal(countSeries.has('bulwark.rejection.retry_after'), false);
  assert.equal((await seriesOf(count.otel.reader)).get('bench.rejections'), KEYS);
  assert.equal(await promSeriesOf(count.prom.counter), KEYS);

  // 2. A counter and a histogram.
  const wait = { ours: oursOn('wait'), otel: otelOn('wait'), prom: promOn() };
  const waitOurs = () => {
    for (let i = 0; i < BATCH; i++) wait.ours.rejected.emit({ name: 'upstream', key: keys[i % KEYS]!, retryAfterMs: 100, reason: 'denied' });
  };
  const waitOtel = () => {
    for (let i = 0; i < BATCH; i++) {
      wait.otel.counter.add(1, { 'bulwark.policy.name': 'upstream', 'bulwark.rejection.reason': 'denied', 'bulwark.key': keys[i % KEYS]! });
      wait.otel.histogram.record(0.1, { 'bulwark.policy.name': 'upstream', 'bulwark.rejection.reason': 'denied' });
    }
  };
  const waitOtelHistogram = () => {
    for (let i = 0; i < BATCH; i++) wait.otel.histogram.record(0.1, { 'bulwark.policy.name': 'upstream', 'bulwark.rejection.reason': 'denied' });
  };
  const waitProm = () => {
    for (let i = 0; i < BATCH; i++) {
      wait.prom.counter.inc({ bulwark_policy_name: 'upstream', bulwark_rejection_reason: 'denied', bulwark_key: keys[i % KEYS]! });
      wait.prom.histogram.observe({ bulwark_policy_name: 'upstream', bulwark_rejection_reason: 'denied' }, 0.1);
    }
  };
  waitOurs();
  waitOtel();
  waitProm();
  const waitSeries = await seriesOf(wait.ours.reader);
  assert.equal(waitSeries.get('bulwark.rejections'), KEYS);
  assert.equal(waitSeries.get('bulwark.rejection.retry_after'), 1);
  const otelWaitSeries = await seriesOf(wait.otel.reader);
  assert.equal(otelWaitSeries.get('bench.rejections'), KEYS);
  assert.equal(otelWaitSeries.get('bench.rejection.retry_after'), 1);
  assert.equal(await promSeriesOf(wait.prom.counter), KEYS);
  assert.equal(await promSeriesOf(wait.prom.histogram), 1);

  // 3. Latency percentiles per API.
  const usage = usageTracker();
  const promSummary = new Summary({
    name: 'bench_latency_ms',
    help: 'Latency.',
    labelNames: ['api'],
    percentiles: [0.5, 0.9, 0.95, 0.99],
    registers: [new Registry()],
  });
  let seed = 1;
  const latency = (): number => {
    seed = (seed * 16807) % 2147483647;
    return 5 + (seed / 2147483647) * 500;
  };

  // 4. Rendering /metrics.
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
  const samples = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  // 50 counter lines, and 5 histogram series of 14 buckets + `+Inf` + `_sum` + `_count`, on both sides.
  assert.equal(samples(await renderPrometheus(renderReader, { targetInfo: false })), KEYS + 5 * (bounds.length + 3));
  assert.equal(samples(await renderRegistry.metrics()), KEYS + 5 * (bounds.length + 3));
  const collected = (await renderReader.collect()).resourceMetrics;

  return [
    {
      suite: 'count a labelled event (a rejection: 3 labels, 50 keys, one counter)',
      cases: [
        { name: '@bulwark/telemetry onRejected -> bulwark.rejections', peer: null, batch: BATCH, fn: countOurs },
        { name: 'OTel SDK counter.add(1, attributes), direct', peer: '@opentelemetry/sdk-metrics', batch: BATCH, fn: countOtel },
        { name: 'prom-client counter.inc(labels)', peer: 'prom-client', batch: BATCH, fn: countProm },
      ],
    },
    {
      suite: 'a rejection with its wait: counter (50 keys) + wait histogram',
      cases: [
        { name: '@bulwark/telemetry onRejected -> counter + histogram', peer: null, batch: BATCH, fn: waitOurs },
        { name: 'OTel SDK counter.add + histogram.record, direct', peer: '@opentelemetry/sdk-metrics', batch: BATCH, fn: waitOtel },
        { name: 'prom-client counter.inc + histogram.observe', peer: 'prom-client', batch: BATCH, fn: waitProm },
        { name: 'OTel SDK histogram.record alone (its share of ours)', peer: 'baseline', batch: BATCH, fn: waitOtelHistogram },
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
        { name: '@bulwark/telemetry formatPrometheus alone (no collect)', peer: 'baseline', fn: () => formatPrometheus(collected, { targetInfo: false }) },
      ],
    },
  ];
}
