import type { Attributes, Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { SeriesTable, type Series } from './series-table.js';

/**
 * Additions to counters that wait in the package until the SDK collects. Register {@link flush} as
 * an observable callback: the SDK runs every observable callback of a meter before it reads the
 * synchronous instruments (its `MeterSharedState.collect`), so a collection holds every event
 * recorded before it started.
 */
export class PendingSums {
  readonly #counters: LimitedCounter[] = [];

  register(counter: LimitedCounter): void {
    this.#counters.push(counter);
  }

  /** Hands every pending addition to the SDK. */
  readonly flush = (): void => {
    for (const counter of this.#counters) counter.flush();
  };
}

/**
 * A counter (or up-down counter) capped at `limit` series.
 *
 * With {@link PendingSums}, an `add` is a lookup of the series (which the cap keeps anyway) and an
 * addition; each series touched since the last collection is then added to the SDK's counter once,
 * with its total, when the SDK collects. A synchronous OpenTelemetry counter costs a clock read and
 * a hash of the attribute set (keys sorted, then JSON) on every `add`: this pays it once per series
 * per collection instead of once per event, and the SDK sees the same sums in the same collection.
 * Without it, every `add` goes to the SDK at once.
 */
export class LimitedCounter {
  readonly #instrument: Counter | UpDownCounter;
  readonly #series: SeriesTable;
  readonly #monotonic: boolean;
  readonly #pending: boolean;
  /** Series with an addition the SDK has not seen yet. */
  readonly #dirty: Series[] = [];

  constructor(
    meter: Meter,
    name: string,
    unit: string,
    description: string,
    limit: number,
    options: { readonly registry?: Map<string, SeriesTable>; readonly kind?: 'counter' | 'upDownCounter'; readonly pending?: PendingSums } = {},
  ) {
    this.#monotonic = options.kind !== 'upDownCounter';
    this.#instrument = this.#monotonic ? meter.createCounter(name, { unit, description }) : meter.createUpDownCounter(name, { unit, description });
    this.#series = new SeriesTable(limit);
    options.registry?.set(name, this.#series);
    this.#pending = options.pending !== undefined;
    options.pending?.register(this);
  }

  /** Adds `value` (default 1) to the series of `attributes`; a counter ignores a negative value, as the SDK's does. */
  add(attributes: Attributes, value = 1): void {
    if (this.#monotonic && !(value >= 0)) return;
    const series = this.#series.lookup(attributes);
    if (!this.#pending) {
      this.#instrument.add(value, series.attributes);
      return;
    }
    series.pending += value;
    if (!series.dirty) {
      series.dirty = true;
      this.#dirty.push(series);
    }
  }

  /** Adds each touched series' pending total to the SDK's instrument (a net 0 too: the series then exists, as after a direct add). */
  flush(): void {
    const dirty = this.#dirty;
    for (let i = 0; i < dirty.length; i++) {
      const series = dirty[i]!;
      this.#instrument.add(series.pending, series.attributes);
      series.pending = 0;
      series.dirty = false;
    }
    dirty.length = 0;
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
