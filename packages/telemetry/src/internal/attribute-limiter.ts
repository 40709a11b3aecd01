import type { Attributes } from '@opentelemetry/api';

/** The attribute set every series beyond a metric's cap is folded into, as the OTel SDK spec does. */
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * Caps the number of distinct attribute sets one metric records. The first `limit - 1` sets pass
 * through; every later new set becomes {@link OVERFLOW_ATTRIBUTES}, so a metric holds at most
 * `limit` series however many keys or users flow through it.
 */
export class AttributeLimiter {
  readonly #limit: number;
  readonly #seen = new Set<string>();
  #overflowed = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** How many recordings were folded into the overflow series so far. */
  get overflowed(): number {
    return this.#overflowed;
  }

  /** Distinct attribute sets admitted (not counting the overflow set). */
  get size(): number {
    return this.#seen.size;
  }

  limit(attributes: Attributes): Attributes {
    const id = attributeSetId(attributes);
    if (this.#seen.has(id)) return attributes;
    if (this.#seen.size < this.#limit - 1) {
      this.#seen.add(id);
      return attributes;
    }
    this.#overflowed++;
    return OVERFLOW_ATTRIBUTES;
  }
}

/**
 * An identity for an attribute set. Key order is part of it: this package builds each metric's
 * attributes in one fixed order, and skipping a sort keeps the hot path short.
 */
function attributeSetId(attributes: Attributes): string {
  let id = '';
  for (const key in attributes) id += `${key}\u0000${String(attributes[key])}\u0001`;
  return id;
}
