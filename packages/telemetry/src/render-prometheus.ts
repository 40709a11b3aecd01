import { BulwarkError, errorGuard, toResult } from '@bulwark/core';
import type { ResultAsync } from 'neverthrow';
import { formatPrometheus, type CollectedResourceMetrics, type FormatPrometheusOptions } from './format-prometheus.js';

/** Anything that collects metrics on demand: an OpenTelemetry SDK `MetricReader`, structurally. */
export interface MetricCollector {
  collect(): Promise<{ readonly resourceMetrics: CollectedResourceMetrics; readonly errors: readonly unknown[] }>;
}

/**
 * Raised by {@link renderPrometheus} when the collection reported errors (an observable callback
 * threw, say). `exposition` still holds what was collected, for a caller who prefers to serve it.
 */
export class MetricsCollectionError extends BulwarkError {
  readonly code = 'METRICS_COLLECTION_FAILED';
  /** The exposition of everything that was collected. */
  readonly exposition: string;
  /** The errors the collection reported. */
  readonly errors: readonly unknown[];

  constructor(errors: readonly unknown[], exposition: string) {
    super(`Collecting metrics reported ${errors.length} error(s); the first: ${describe(errors[0])}`, {
      cause: errors[0],
      transient: true,
    });
    this.errors = errors;
    this.exposition = exposition;
  }

  override toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, errors: this.errors.length };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** True for a {@link MetricsCollectionError}. */
export const isMetricsCollectionError = errorGuard<MetricsCollectionError>('METRICS_COLLECTION_FAILED');

/** Options for {@link renderPrometheus}. */
export interface RenderPrometheusOptions extends FormatPrometheusOptions {
  /**
   * Called with the collection's errors instead of rejecting; the exposition of what was
   * collected is then returned.
   * @default reject with MetricsCollectionError
   */
  readonly onCollectionErrors?: (errors: readonly unknown[]) => void;
}

/**
 * Collects from `reader` (any OpenTelemetry SDK `MetricReader`, registered with the meter
 * provider) and renders the result with {@link formatPrometheus}; serve it at `/metrics` with
 * {@link PROMETHEUS_CONTENT_TYPE}. Opens no port.
 *
 * @example
 * ```ts
 * const reader = new PullMetricReader(); // see the README
 * const provider = new MeterProvider({ readers: [reader] });
 * app.get('/metrics', async (_req, res) => {
 *   res.type(PROMETHEUS_CONTENT_TYPE).send(await renderPrometheus(reader));
 * });
 * ```
 */
export async function renderPrometheus(reader: MetricCollector, options: RenderPrometheusOptions = {}): Promise<string> {
  if (typeof reader !== 'object' || reader === null || typeof reader.collect !== 'function') {
    throw new TypeError('Expected `reader` to be a MetricReader (an object with collect()), got ' + (reader === null ? 'null' : typeof reader) + '.');
  }
  const { resourceMetrics, errors } = await reader.collect();
  const text = formatPrometheus(resourceMetrics, options);
  if (errors.length > 0) {
    if (options.onCollectionErrors === undefined) throw new MetricsCollectionError(errors, text);
    options.onCollectionErrors(errors);
  }
  return text;
}

/**
 * The neverthrow twin of {@link renderPrometheus}: never rejects; a collection error is an `Err`
 * holding the {@link MetricsCollectionError}, anything else an `OperationFailedError` with the cause.
 */
export function renderPrometheusResult(reader: MetricCollector, options: RenderPrometheusOptions = {}): ResultAsync<string, BulwarkError> {
  return toResult(renderPrometheus(reader, options));
}
