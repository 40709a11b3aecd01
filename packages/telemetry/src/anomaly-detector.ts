import {
  EventEmitter,
  expectClock,
  expectInteger,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  type Clock,
  type Event,
} from '@bulwark/core';
import { ewmaDetector, type AnomalyEvent, type EwmaDetector } from './ewma-detector.js';

/** Options for {@link anomalyDetector}. */
export interface AnomalyDetectorOptions {
  /** Calls are aggregated per interval of this length, in ms; each interval is one observation. @default 10000 */
  readonly intervalMs?: number;
  /** Intervals with fewer calls are not judged (too few to say anything). @default 20 */
  readonly minSamples?: number;
  /** Judged intervals used to learn the baseline before any alert. @default 30 */
  readonly warmupIntervals?: number;
  /** EWMA weight of each interval, in (0, 1]. @default 0.05 */
  readonly alpha?: number;
  /** Band half-width in standard deviations. @default 5 */
  readonly threshold?: number;
  /**
   * The error-rate band is never narrower than the binomial noise of the interval: an interval
   * alerts only if so many errors had at most this probability at the baseline rate.
   * @default 3e-7 (the one-sided tail of five standard deviations)
   */
  readonly errorTailProbability?: number;
  /** A latency rise smaller than this fraction of the baseline never alerts (0.25 = 25 %). @default 0.25 */
  readonly latencyMinRelativeDeviation?: number;
  /** An error-rate rise smaller than this (absolute, 0.05 = five points) never alerts. @default 0.05 */
  readonly errorRateMinDeviation?: number;
  /** Names the detector in its events. @default 'anomalyDetector' */
  readonly name?: string;
  /** Intervals follow `clock.monotonic()`; `at` follows `clock.now()`. @default systemClock */
  readonly clock?: Clock;
}

/** Raised by {@link AnomalyDetector.onAnomaly}: an interval whose latency or error rate broke out of its band. */
export interface CallAnomalyEvent extends AnomalyEvent {
  /** Which series: the interval's mean latency (ms) or its error rate (0..1). */
  readonly signal: 'latency' | 'error_rate';
  /** Calls in the interval. */
  readonly requests: number;
  /** Failed calls in the interval. */
  readonly errors: number;
  /** The interval, in the clock's monotonic ms. */
  readonly intervalStartMs: number;
  readonly intervalEndMs: number;
}

/** Watches call latency and error rate for anomalies. Create one with {@link anomalyDetector}. */
export interface AnomalyDetector {
  /** Records one finished call. Closing an interval (the first call after it ends) judges it. */
  record(durationMs: number, ok: boolean): void;
  /** Judges the interval in progress if it is over (call it from a timer if traffic may stop). */
  flush(): void;
  readonly onAnomaly: Event<CallAnomalyEvent>;
}

class Detector implements AnomalyDetector {
  readonly #intervalMs: number;
  readonly #minSamples: number;
  readonly #clock: Clock;
  readonly #threshold: number;
  readonly #tail: number;
  readonly #latency: EwmaDetector;
  readonly #errorRate: EwmaDetector;
  readonly #onAnomaly = new EventEmitter<CallAnomalyEvent>();
  readonly onAnomaly = this.#onAnomaly.event;
  #interval = -1;
  #requests = 0;
  #errors = 0;
  #latencySum = 0;

  constructor(o: AnomalyDetectorOptions) {
    this.#intervalMs = o.intervalMs ?? 10_000;
    this.#minSamples = o.minSamples ?? 20;
    this.#clock = o.clock ?? systemClock;
    this.#threshold = o.threshold ?? 5;
    this.#tail = o.errorTailProbability ?? 3e-7;
    const common = {
      alpha: o.alpha ?? 0.05,
      threshold: o.threshold ?? 5,
      warmup: o.warmupIntervals ?? 30,
      clock: this.#clock,
      name: o.name ?? 'anomalyDetector',
    };
    this.#latency = ewmaDetector({ ...common, minRelativeDeviation: o.latencyMinRelativeDeviation ?? 0.25 });
    this.#errorRate = ewmaDetector({ ...common, minDeviation: o.errorRateMinDeviation ?? 0.05 });
  }

  record(durationMs: number, ok: boolean): void {
    if (typeof durationMs !== 'number' || !(durationMs >= 0)) throw invalidOption('durationMs', durationMs, 'a non-negative number');
    this.flush();
    this.#requests++;
    if (!ok) this.#errors++;
    this.#latencySum += durationMs;
  }

  flush(): void {
    const interval = Math.floor(this.#clock.monotonic() / this.#intervalMs);
    if (interval === this.#interval) return;
    if (this.#interval >= 0 && this.#requests >= this.#minSamples) this.#judge();
    this.#interval = interval;
    this.#requests = 0;
    this.#errors = 0;
    this.#latencySum = 0;
  }

  #judge(): void {
    const n = this.#requests;
    const facts = {
      requests: n,
      errors: this.#errors,
      intervalStartMs: this.#interval * this.#intervalMs,
      intervalEndMs: (this.#interval + 1) * this.#intervalMs,
    };
    const latency = this.#latency.observe(this.#latencySum / n);
    // The error count of n calls at a steady rate p is binomial, whose right tail is much heavier
    // than a normal law's when p is small: widen the band to the count that is improbable.
    const base = Number.isNaN(this.#errorRate.mean) ? 0 : this.#errorRate.mean;
    const p = Math.min(1 - 0.5 / n, Math.max(base, 0.5 / n));
    const critical = binomialCritical(n, p, this.#tail);
    const stdDevFloor = Math.max(0, (critical - 1) / n - base) / this.#threshold;
    const errorRate = this.#errorRate.observe(this.#errors / n, { stdDevFloor });
    if (latency !== undefined) this.#onAnomaly.emit({ ...latency, ...facts, signal: 'latency' });
    if (errorRate !== undefined) this.#onAnomaly.emit({ ...errorRate, ...facts, signal: 'error_rate' });
  }
}

/** The least k with P(X ≥ k) ≤ tail for X ~ Binomial(n, p). Log-space, so large n does not underflow. */
function binomialCritical(n: number, p: number, tail: number): number {
  const logRatio = Math.log(p / (1 - p));
  let logPmf = n * Math.log1p(-p);
  let cdf = 0;
  for (let k = 0; k <= n; k++) {
    if (1 - cdf <= tail) return k;
    cdf += Math.exp(logPmf);
    logPmf += Math.log((n - k) / (k + 1)) + logRatio;
  }
  return n + 1;
}

const ANOMALY_DETECTOR_OPTIONS = knownOptions<AnomalyDetectorOptions>('anomalyDetector()', {
  intervalMs: [],
  minSamples: [],
  warmupIntervals: [],
  alpha: [],
  threshold: [],
  errorTailProbability: [],
  latencyMinRelativeDeviation: [],
  errorRateMinDeviation: [],
  name: [],
  clock: [],
});

/**
 * Watches calls for anomalies in latency and error rate. Calls are aggregated per interval
 * (`intervalMs`); each interval's mean latency and error rate feed an {@link ewmaDetector}
 * (a moving baseline and a band of `threshold` standard deviations). After a warm-up of
 * `warmupIntervals`, an interval outside its band raises an {@link CallAnomalyEvent} with the
 * numbers that tripped it. Only rises alert: a faster or cleaner service is no incident.
 *
 * Intervals with fewer than `minSamples` calls are skipped, and the error-rate band is never
 * narrower than the binomial noise of the interval's size, so steady noise does not alert.
 *
 * @example
 * ```ts
 * declare const logger: { warn(message: string, fields: object): void };
 * declare const durationMs: number;
 * declare const ok: boolean;
 * const anomalies = anomalyDetector({ name: 'upstream' });
 * anomalies.onAnomaly((a) => logger.warn('anomaly', a));
 * // after each call:
 * anomalies.record(durationMs, ok);
 * ```
 */
export function anomalyDetector(options: AnomalyDetectorOptions = {}): AnomalyDetector {
  expectOptions('options', options, ANOMALY_DETECTOR_OPTIONS);
  if (options.intervalMs !== undefined) expectNumber('intervalMs', options.intervalMs, { min: 1 });
  if (options.minSamples !== undefined) expectInteger('minSamples', options.minSamples, { min: 1 });
  if (options.warmupIntervals !== undefined) expectInteger('warmupIntervals', options.warmupIntervals, { min: 2 });
  if (options.latencyMinRelativeDeviation !== undefined) expectNumber('latencyMinRelativeDeviation', options.latencyMinRelativeDeviation, { min: 0 });
  if (options.errorRateMinDeviation !== undefined) expectNumber('errorRateMinDeviation', options.errorRateMinDeviation, { min: 0, max: 1 });
  if (options.errorTailProbability !== undefined) expectNumber('errorTailProbability', options.errorTailProbability, { min: 0, max: 1 });
  expectClock('clock', options.clock);
  // alpha, threshold and name are checked by ewmaDetector.
  return new Detector(options);
}
