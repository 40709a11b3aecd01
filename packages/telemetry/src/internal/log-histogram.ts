/** Relative accuracy of {@link LogHistogram}'s quantiles. */
const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) land in the zero bucket. */
const MIN_TRACKED = 1e-3;
/** Values above this (ms, about 27.8 hours) are clamped to it. */
const MAX_TRACKED = 1e8;
const MIN_INDEX = Math.ceil(Math.log(MIN_TRACKED) / LOG_GAMMA);
const MAX_INDEX = Math.ceil(Math.log(MAX_TRACKED) / LOG_GAMMA);

/**
 * A log-bucketed histogram in the manner of DDSketch: bucket `i` holds values in
 * `(γ^(i-1), γ^i]` with `γ = (1 + α) / (1 − α)`, and a quantile is answered with the bucket's
 * midpoint `2γ^i / (γ + 1)`, which is within a relative error of `α` (1 %) of the true sample of that
 * rank, for samples between {@link MIN_TRACKED} and {@link MAX_TRACKED}. Memory is bounded by the
 * number of distinct buckets touched, at most `MAX_INDEX − MIN_INDEX + 2` (about 1,270), whatever
 * the number of samples; the min, max, count and sum are exact.
 */
export class LogHistogram {
  readonly #buckets = new Map<number, number>();
  #zero = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(value: number): void {
    if (!(value >= 0)) value = 0; // negative or NaN durations cannot happen on a monotonic clock
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value <= MIN_TRACKED) {
      this.#zero++;
      return;
    }
    const index = Math.min(MAX_INDEX, Math.max(MIN_INDEX, Math.ceil(Math.log(value) / LOG_GAMMA)));
    this.#buckets.set(index, (this.#buckets.get(index) ?? 0) + 1);
  }

  /** The value at quantile `q` (0..1), or `undefined` when empty. */
  quantile(q: number): number | undefined {
    return this.quantiles([q])[0];
  }

  /** Several quantiles in one pass over the buckets (`qs` in any order). */
  quantiles(qs: readonly number[]): Array<number | undefined> {
    if (this.count === 0) return qs.map(() => undefined);
    const indexes = [...this.#buckets.keys()].sort((a, b) => a - b);
    return qs.map((q) => {
      const rank = Math.floor(q * (this.count - 1));
      let seen = this.#zero;
      if (rank < seen) return this.min;
      for (const index of indexes) {
        seen += this.#buckets.get(index)!;
        if (rank < seen) {
          const value = (2 * GAMMA ** index) / (GAMMA + 1);
          return Math.min(this.max, Math.max(this.min, value));
        }
      }
      return this.max;
    });
  }
}
