import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';

/** The `Content-Type` of the Prometheus text exposition format that {@link formatPrometheus} writes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// Structural copies of the few fields of @opentelemetry/sdk-metrics' `ResourceMetrics` read here, so
// that this package needs the SDK only where the caller already has it.
/** A histogram point's value, as the OpenTelemetry SDK collects it. */
export interface HistogramValue {
  readonly buckets: { readonly boundaries: readonly number[]; readonly counts: readonly number[] };
  readonly sum?: number;
  readonly count: number;
}
/** One data point, as the OpenTelemetry SDK collects it. */
export interface CollectedDataPoint {
  readonly attributes: Attributes;
  readonly value: number | HistogramValue | object;
  readonly startTime?: HrTime;
  readonly endTime?: HrTime;
}
/** One metric, as the OpenTelemetry SDK collects it (`MetricData`). */
export interface CollectedMetric {
  readonly descriptor: { readonly name: string; readonly description: string; readonly unit: string };
  /** `DataPointType` of the SDK: 0 histogram, 1 exponential histogram, 2 gauge, 3 sum. */
  readonly dataPointType: number;
  /** `AggregationTemporality` of the SDK: 0 delta, 1 cumulative. */
  readonly aggregationTemporality: number;
  readonly isMonotonic?: boolean;
  readonly dataPoints: readonly CollectedDataPoint[];
}
/** What a `MetricReader.collect()` resolves with (`ResourceMetrics`), structurally. */
export interface CollectedResourceMetrics {
  readonly resource?: { readonly attributes: Attributes };
  readonly scopeMetrics: ReadonlyArray<{ readonly metrics: readonly CollectedMetric[] }>;
}

const HISTOGRAM = 0;
const EXPONENTIAL_HISTOGRAM = 1;
const GAUGE = 2;
const SUM = 3;
const DELTA = 0;

/** Options for {@link formatPrometheus}. */
export interface FormatPrometheusOptions {
  /** Write a `target_info` gauge with the resource's attributes (service.name, ...). @default true */
  readonly targetInfo?: boolean;
}

// OTel → Prometheus unit suffixes (OpenTelemetry's Prometheus compatibility specification).
const UNITS: Record<string, string> = {
  s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds', min: 'minutes', h: 'hours', d: 'days',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', KBy: 'kilobytes', MBy: 'megabytes',
  GBy: 'gigabytes', m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius',
  Hz: 'hertz', '%': 'percent',
};

/** A metric or label name reduced to `[a-zA-Z0-9_]`, not starting with a digit, runs of `_` collapsed. */
function sanitize(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out.length === 0 ? '_' : out;
}

function unitSuffix(unit: string, type: 'counter' | 'gauge' | 'histogram'): string | undefined {
  if (unit === '' || unit.startsWith('{')) return undefined;
  if (unit === '1') return type === 'gauge' ? 'ratio' : undefined;
  const [num, per] = unit.replace(/\{[^}]*\}/g, '').split('/');
  const a = num === undefined || num === '' ? undefined : (UNITS[num] ?? num);
  if (per === undefined) return a;
  const b = UNITS[per] ?? ({ s: 'second', m: 'minute', h: 'hour', d: 'day' } as Record<string, string>)[per] ?? per;
  return a === undefined ? `per_${b}` : `${a}_per_${b}`;
}

function metricName(name: string, unit: string, type: 'counter' | 'gauge' | 'histogram'): string {
  let out = sanitize(name);
  if (type === 'counter') out = out.replace(/_total$/, '');
  const suffix = unitSuffix(unit, type);
  if (suffix !== undefined) {
    const s = sanitize(suffix);
    if (!out.endsWith(`_${s}`)) out = `${out}_${s}`;
  }
  return type === 'counter' ? `${out}_total` : out;
}

function labelName(key: string): string {
  const out = sanitize(key);
  return out.startsWith('__') ? `key${out}` : out;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function attributeValue(value: AttributeValue | undefined): string {
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function labels(attributes: Attributes, extra?: readonly [string, string]): string {
  // Keys that sanitize to the same label name are joined with ';', as the OTel specification says.
  const merged = new Map<string, string[]>();
  for (const key of Object.keys(attributes).sort()) {
    const value = attributes[key];
    if (value === undefined) continue;
    const name = labelName(key);
    const list = merged.get(name);
    if (list === undefined) merged.set(name, [attributeValue(value)]);
    else list.push(attributeValue(value));
  }
  const parts: string[] = [];
  for (const [name, values] of merged) parts.push(`${name}="${escapeLabel(values.join(';'))}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

interface Family {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly lines: string[];
}

/**
 * Renders collected OpenTelemetry metrics in the Prometheus text exposition format (0.0.4), as
 * OpenTelemetry's Prometheus compatibility specification maps them: names sanitized, the unit as a
 * suffix (`s` → `_seconds`), monotonic sums as counters with `_total`, other sums and gauges as
 * gauges, histograms as `_bucket{le=...}` (cumulative, ending at `+Inf`), `_sum` and `_count`, a
 * `# HELP` and `# TYPE` line per family, label values escaped.
 *
 * Expects cumulative temporality (the SDK's default for a pull reader).
 *
 * @throws TypeError for delta temporality, an exponential histogram, or two metrics that map to the
 *   same name with different types — an exposition that Prometheus would reject.
 */
export function formatPrometheus(collected: CollectedResourceMetrics, options: FormatPrometheusOptions = {}): string {
  const families = new Map<string, Family>();
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) {
      const { name, unit, description } = metric.descriptor;
      let type: Family['type'];
      if (metric.dataPointType === HISTOGRAM) type = 'histogram';
      else if (metric.dataPointType === SUM && metric.isMonotonic === true) type = 'counter';
      else if (metric.dataPointType === SUM || metric.dataPointType === GAUGE) type = 'gauge';
      else if (metric.dataPointType === EXPONENTIAL_HISTOGRAM) {
        throw new TypeError(`Metric \`${name}\` is an exponential histogram, which the Prometheus text format cannot carry; use explicit buckets for it.`);
      } else throw new TypeError(`Metric \`${name}\` has an unknown data point type ${metric.dataPointType}.`);
      if (type !== 'gauge' && metric.aggregationTemporality === DELTA) {
        throw new TypeError(`Metric \`${name}\` has delta temporality; Prometheus needs cumulative (the MetricReader's default).`);
      }
      const promName = metricName(name, unit, type);
      let family = families.get(promName);
      if (family === undefined) {
        family = { type, help: description === '' ? name : description, lines: [] };
        families.set(promName, family);
      } else if (family.type !== type) {
        throw new TypeError(`Metrics map to the same Prometheus name \`${promName}\` as both ${family.type} and ${type}; rename one.`);
      }
      for (const point of metric.dataPoints) {
        if (type === 'histogram') {
          const h = point.value as HistogramValue;
          let cumulative = 0;
          h.buckets.boundaries.forEach((bound, i) => {
            cumulative += h.buckets.counts[i] ?? 0;
            family.lines.push(`${promName}_bucket${labels(point.attributes, ['le', number(bound)])} ${cumulative}`);
          });
          family.lines.push(`${promName}_bucket${labels(point.attributes, ['le', '+Inf'])} ${h.count}`);
          family.lines.push(`${promName}_sum${labels(point.attributes)} ${number(h.sum ?? 0)}`);
          family.lines.push(`${promName}_count${labels(point.attributes)} ${h.count}`);
        } else {
          family.lines.push(`${promName}${labels(point.attributes)} ${number(point.value as number)}`);
        }
      }
    }
  }
  let out = '';
  const resource = collected.resource?.attributes ?? {};
  if ((options.targetInfo ?? true) && Object.keys(resource).length > 0) {
    out += `# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info${labels(resource)} 1\n`;
  }
  for (const [name, family] of families) {
    out += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n`;
    for (const line of family.lines) out += `${line}\n`;
  }
  return out;
}
