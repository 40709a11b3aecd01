import { expectBoolean, expectOptions, invalidOption, knownOptions } from '@bulwark/core';
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

const FORMAT_PROMETHEUS_OPTIONS = knownOptions<FormatPrometheusOptions>('formatPrometheus()', { targetInfo: ['resource', 'targetinfo'] });

/** A misspelt or mistyped option would otherwise leave `target_info` in or out without a word. */
export function checkFormatOptions(options: FormatPrometheusOptions): void {
  if (options.targetInfo !== undefined) expectBoolean('targetInfo', options.targetInfo);
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

/** Label names already sanitized: an exposition repeats the same few keys on every line. */
const labelNames = new Map<string, string>();

function labelName(key: string): string {
  let out = labelNames.get(key);
  if (out === undefined) {
    out = sanitize(key);
    if (out.startsWith('__')) out = `key${out}`;
    if (labelNames.size < 1024) labelNames.set(key, out);
  }
  return out;
}

const LABEL_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '"': '\\"' };

function escapeLabel(value: string): string {
  // Most values need no escape: one scan to find out, and the same string back.
  return /[\\\n"]/.test(value) ? value.replace(/[\\\n"]/g, (c) => LABEL_ESCAPES[c]!) : value;
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function attributeValue(value: AttributeValue | undefined): string {
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/**
 * The inside of a series' braces, `a="1",b="2"` (empty for no attributes), keys sorted. Keys that
 * sanitize to the same label name are joined with ';', as the OTel specification says.
 */
function labelPairs(attributes: Attributes): string {
  const merged = new Map<string, string>();
  for (const key of Object.keys(attributes).sort()) {
    const value = attributes[key];
    if (value === undefined) continue;
    const name = labelName(key);
    const before = merged.get(name);
    merged.set(name, before === undefined ? attributeValue(value) : `${before};${attributeValue(value)}`);
  }
  let out = '';
  for (const [name, value] of merged) out += `${out === '' ? '' : ','}${name}="${escapeLabel(value)}"`;
  return out;
}

const braces = (pairs: string): string => (pairs === '' ? '' : `{${pairs}}`);

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

interface Family {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  /** The family's sample lines, each ending in a newline. */
  text: string;
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
 *   same name with different types — an exposition that Prometheus would reject; and for a
 *   `collected` that is not collected metrics (the whole `reader.collect()` result, say).
 */
export function formatPrometheus(collected: CollectedResourceMetrics, options: FormatPrometheusOptions = {}): string {
  const given = collected as unknown;
  if (typeof given !== 'object' || given === null || !Array.isArray((given as { scopeMetrics?: unknown }).scopeMetrics)) {
    // `reader.collect()` resolves to `{ resourceMetrics, errors }`: the metrics are one level down.
    const expected =
      typeof given === 'object' && given !== null && 'resourceMetrics' in given
        ? "the `resourceMetrics` of a MetricReader's collect() result, not the result itself (formatPrometheus((await reader.collect()).resourceMetrics))"
        : "collected ResourceMetrics (an object with scopeMetrics: the `resourceMetrics` of a MetricReader's collect() result)";
    throw invalidOption('collected', given, expected);
  }
  expectOptions('options', options, FORMAT_PROMETHEUS_OPTIONS);
  checkFormatOptions(options);
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
        family = { type, help: description === '' ? name : description, text: '' };
        families.set(promName, family);
      } else if (family.type !== type) {
        throw new TypeError(`Metrics map to the same Prometheus name \`${promName}\` as both ${family.type} and ${type}; rename one.`);
      }
      // The `le` labels of a histogram's bounds, written once for all its series.
      let bounds: readonly number[] | undefined;
      let le: string[] = [];
      for (const point of metric.dataPoints) {
        // A series' labels are written once, not once per line.
        const pairs = labelPairs(point.attributes);
        if (type === 'histogram') {
          const h = point.value as HistogramValue;
          const { boundaries, counts } = h.buckets;
          if (boundaries !== bounds) {
            bounds = boundaries;
            le = boundaries.map((bound) => `le="${number(bound)}"`);
          }
          const bucket = `${promName}_bucket{${pairs}${pairs === '' ? '' : ','}`;
          let cumulative = 0;
          for (let i = 0; i < boundaries.length; i++) {
            cumulative += counts[i] ?? 0;
            family.text += `${bucket}${le[i]}} ${cumulative}\n`;
          }
          family.text += `${bucket}le="+Inf"} ${h.count}\n${promName}_sum${braces(pairs)} ${number(h.sum ?? 0)}\n${promName}_count${braces(pairs)} ${h.count}\n`;
        } else {
          family.text += `${promName}${braces(pairs)} ${number(point.value as number)}\n`;
        }
      }
    }
  }
  let out = '';
  const resource = collected.resource?.attributes ?? {};
  if ((options.targetInfo ?? true) && Object.keys(resource).length > 0) {
    out += `# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info${braces(labelPairs(resource))} 1\n`;
  }
  for (const [name, family] of families) {
    out += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n${family.text}`;
  }
  return out;
}
