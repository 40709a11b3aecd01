import type { Attributes, AttributeValue } from '@opentelemetry/api';

/** The attribute set every series beyond a metric's cap is folded into, as the OTel SDK spec does. */
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/** One series of a metric: its attribute set and, for a counter, what the SDK has yet to be told. */
export interface Series {
  /** The attribute set, keys sorted, frozen: the same object every time this series is recorded. */
  readonly attributes: Attributes;
  /** A counter's additions since the SDK last collected; histograms leave it at 0. */
  pending: number;
  /** Whether the series is in its counter's list of series to hand over. */
  dirty: boolean;
}

/** A step of the lookup trie: attribute key → attribute value → next step. */
class Step {
  next: Map<string, Map<AttributeValue | undefined, Step>> | undefined = undefined;
  series: Series | undefined = undefined;
}

/**
 * The series of one metric, capped. The first `limit - 1` distinct attribute sets each get a
 * series of their own; every later new set gets the overflow series, whose attributes are
 * {@link OVERFLOW_ATTRIBUTES}, so a metric holds at most `limit` series however many keys or users
 * flow through it.
 *
 * A set seen before is found by walking a trie keyed by the attribute keys and values as given, a
 * few map lookups on strings whose hashes are already known, without building a string per
 * recording. The trie is only a shortcut: a set it does not know is identified by its sorted
 * entries, so the same set given in another key order is still one series. Overflowing sets never
 * enter the trie, so it grows only with admitted series.
 */
export class SeriesTable {
  readonly #limit: number;
  readonly #root = new Step();
  readonly #byId = new Map<string, Series>();
  readonly #overflow: Series = { attributes: OVERFLOW_ATTRIBUTES, pending: 0, dirty: false };
  #overflowed = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** How many recordings were folded into the overflow series so far. */
  get overflowed(): number {
    return this.#overflowed;
  }

  /** The series of `attributes`: its own, or the overflow series once the cap is reached. */
  lookup(attributes: Attributes): Series {
    let step = this.#root;
    for (const key in attributes) {
      const next = step.next?.get(key)?.get(attributes[key]);
      if (next === undefined) return this.#admit(attributes);
      step = next;
    }
    return step.series ?? this.#admit(attributes);
  }

  #admit(attributes: Attributes): Series {
    const keys = Object.keys(attributes).sort();
    const id = JSON.stringify(keys.map((key) => [key, attributes[key]]));
    let series = this.#byId.get(id);
    if (series === undefined) {
      if (this.#byId.size >= this.#limit - 1) {
        this.#overflowed++;
        return this.#overflow;
      }
      const sorted: Attributes = {};
      for (const key of keys) sorted[key] = attributes[key];
      series = { attributes: Object.freeze(sorted), pending: 0, dirty: false };
      this.#byId.set(id, series);
    }
    this.#remember(attributes, series);
    return series;
  }

  /** Adds the path of `attributes`, in their own key order, to the trie; arrays are left to the slow path. */
  #remember(attributes: Attributes, series: Series): void {
    for (const key in attributes) if (typeof attributes[key] === 'object') return;
    let step = this.#root;
    for (const key in attributes) {
      const value = attributes[key];
      step.next ??= new Map();
      let byValue = step.next.get(key);
      if (byValue === undefined) step.next.set(key, (byValue = new Map()));
      let next = byValue.get(value);
      if (next === undefined) byValue.set(value, (next = new Step()));
      step = next;
    }
    step.series = series;
  }
}
