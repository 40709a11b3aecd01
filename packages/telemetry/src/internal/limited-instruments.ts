import type { Attributes, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import { SeriesTable } from './series-table.js';

/**
 * A counter (or up-down counter) capped at `limit` series that keeps its totals itself and hands
 * them to the SDK when it collects, through an observable instrument.
 *
 * A synchronous OpenTelemetry counter costs, on every `add`, a clock read and a hash of the
 * attribute set (its keys sorted, then JSON) before the sum is found; here an `add` is a lookup of
 * a series this package already keeps for the cap, and an addition. The exported metric is the
 * same cumulative sum (monotonic for a counter), read once per collection instead of once per event.
 */
export class LimitedCounter {
  readonly #series: SeriesTable;
  readonly #monotonic: boolean;

  constructor(
    meter: Meter,
    name: string,
    unit: string,
    description: string,
    limit: number,
    registry?: Map<string, SeriesTable>,
    kind: 'counter' | 'upDownCounter' = 'counter',
  ) {
    const series = (this.#series = new SeriesTable(limit));
    this.#monotonic = kind === 'counter';
    registry?.set(name, series);
    const options = { unit, description };
    const instrument = this.#monotonic ? meter.createObservableCounter(name, options) : meter.createObservableUpDownCounter(name, options);
    instrument.addCallback((result: ObservableResult) => series.forEach((s) => result.observe(s.value, s.attributes)));
  }

  /** Adds `value` (default 1) to the series of `attributes`; a counter ignores a negative value, as the SDK's does. */
  add(attributes: Attributes, value = 1): void {
    if (this.#monotonic && !(value >= 0)) return;
    this.#series.lookup(attributes).value += value;
  }
}

/** A histogram capped at `limit` series: each recording goes to the SDK under its series' attribute set. */
export class LimitedHistogram {
  readonly #histogram: Histogram;
  readonly #series: SeriesTable;

  constructor(
    meter: Meter,
    name: string,
    unit: string,
    description: string,
    buckets: readonly number[],
    limit: number,
    registry?: Map<string, SeriesTable>,
  ) {
    this.#histogram = meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: [...buckets] } });
    this.#series = new SeriesTable(limit);
    registry?.set(name, this.#series);
  }

  record(value: number, attributes: Attributes): void {
    this.#histogram.record(value, this.#series.lookup(attributes).attributes);
  }
}
