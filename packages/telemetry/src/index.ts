export { policyMetrics, KNOWN_EVENTS, DURATION_BUCKETS_SECONDS } from './policy-metrics.js';
export type { MeasuredPolicy, MeasureOptions, PolicyMetrics, PolicyMetricsOptions } from './policy-metrics.js';
export { instrumentPolicies } from './instrument-policies.js';
export { PolicyMetricsClosedError, isPolicyMetricsClosedError } from './policy-metrics-closed-error.js';

export { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from './format-prometheus.js';
export type {
  CollectedDataPoint,
  CollectedMetric,
  CollectedResourceMetrics,
  FormatPrometheusOptions,
  HistogramValue,
} from './format-prometheus.js';
export { renderPrometheus, renderPrometheusResult } from './render-prometheus.js';
export { MetricsCollectionFailedError, isMetricsCollectionFailedError } from './metrics-collection-failed-error.js';
export type { MetricCollector, RenderPrometheusOptions } from './render-prometheus.js';

export { usageTracker, USAGE_OVERFLOW_KEY } from './usage-tracker.js';
export type {
  ApiUsage,
  LatencySummary,
  SnapshotOptions,
  UsageSnapshot,
  UsageStats,
  UsageTracker,
  UsageTrackerOptions,
} from './usage-tracker.js';

export { health, healthStatusCode, HEALTH_CONTENT_TYPE } from './health.js';
export { HealthCheckTimeoutError, isHealthCheckTimeoutError } from './health-check-timeout-error.js';
export type {
  CheckOutcome,
  DependencyCheck,
  Health,
  HealthCheckEntry,
  HealthOptions,
  HealthReport,
  HealthStatus,
} from './health.js';

export { ewmaDetector } from './ewma-detector.js';
export type { AnomalyEvent, EwmaDetector, EwmaDetectorOptions, ObserveOptions } from './ewma-detector.js';
export { anomalyDetector } from './anomaly-detector.js';
export type { AnomalyDetector, AnomalyDetectorOptions, CallAnomalyEvent } from './anomaly-detector.js';
export { burnRateAlerts, SRE_WORKBOOK_WINDOWS } from './burn-rate-alerts.js';
export type { BurnRateAlert, BurnRateAlerts, BurnRateAlertsOptions, BurnRateWindow } from './burn-rate-alerts.js';
