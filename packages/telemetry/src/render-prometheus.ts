import { expectFunction, expectOptions, invalidOption, knownOptions, toResult, type BulwarkError } from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { MetricsCollectionFailedError } from './metrics-collection-failed-error.js';
import { checkFormatOptions, formatPrometheus, type CollectedResourceMetrics, type FormatPrometheusOptions } from './format-prometheus.js';

/** Anything that collects metrics on demand: an OpenTelemetry SDK `MetricReader`, structurally. */
export interface MetricCollector {
  collect(): Promise<{ readonly resourceMetrics: CollectedResourceMetrics; readonly errors: readonly unknown[] }>;
}

/** Options for {@link renderPrometheus}. */
export interface RenderPrometheusOptions extends FormatPrometheusOptions {
  /**
   * Called with the collection's errors instead of rejecting; the exposition of what was
   * collected is then returned.
   * @default reject with MetricsCollectionFailedError
   */
  readonly onCollectionErrors?: (errors: readonly unknown[]) => void;
}

const RENDER_PROMETHEUS_OPTIONS = knownOptions<RenderPrometheusOptions>('renderPrometheus()', {
  targetInfo: ['resource', 'targetinfo'],
  onCollectionErrors: ['onError', 'onErrors', 'onCollectionError'],
});

/**
 * Collects from `reader` (any OpenTelemetry SDK `MetricReader`, registered with the meter
 * provider) and renders the result with {@link formatPrometheus}; serve it at `/metrics` with
 * {@link PROMETHEUS_CONTENT_TYPE}. Opens no port.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
 * declare const reader: MetricReader; // one that collects when asked: the README's PullMetricReader
 * const meter = new MeterProvider({ readers: [reader] }).getMeter('gateway');
 * createServer(async (req, res) => {
 *   if (req.url !== '/metrics') return void res.writeHead(404).end();
 *   res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(await renderPrometheus(reader));
 * });
 * ```
 */
export async function renderPrometheus(reader: MetricCollector, options: RenderPrometheusOptions = {}): Promise<string> {
  if (typeof reader !== 'object' || reader === null || typeof reader.collect !== 'function') {
    throw invalidOption('reader', reader, 'a MetricReader (an object with collect())');
  }
  // Checked before collecting: a misspelt `onCollectionErrors` would otherwise turn into a rejection.
  expectOptions('options', options, RENDER_PROMETHEUS_OPTIONS);
  checkFormatOptions(options);
  if (options.onCollectionErrors !== undefined) expectFunction('onCollectionErrors', options.onCollectionErrors);
  const { resourceMetrics, errors } = await reader.collect();
  const { onCollectionErrors: _, ...formatOptions } = options;
  const text = formatPrometheus(resourceMetrics, formatOptions);
  if (errors.length > 0) {
    if (options.onCollectionErrors === undefined) throw new MetricsCollectionFailedError(errors, text);
    options.onCollectionErrors(errors);
  }
  return text;
}

/**
 * The neverthrow twin of {@link renderPrometheus}: never rejects; a collection error is an `Err`
 * holding the {@link MetricsCollectionFailedError}, anything else an `OperationFailedError` with the cause.
 */
export function renderPrometheusResult(reader: MetricCollector, options: RenderPrometheusOptions = {}): ResultAsync<string, BulwarkError> {
  return toResult(renderPrometheus(reader, options));
}
