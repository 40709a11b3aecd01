import {
  EventEmitter,
  expectClock,
  expectInteger,
  expectName,
  expectNumber,
  expectOneOf,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  type Clock,
  type Event,
  type EventPayload,
} from '@bulwark/core';

/** Options for {@link ewmaDetector}. */
export interface EwmaDetectorOptions {
  /** Weight of each new observation in the moving mean and variance, in (0, 1]. @default 0.05 */
  readonly alpha?: number;
  /**
   * Half-width of the band, in standard deviations of the baseline. The baseline's spread is itself
   * an estimate, so its tails are heavier than a normal law's: 5 keeps steady Gaussian noise
   * quiet over tens of thousands of observations (see the tests).
   * @default 5
   */
  readonly threshold?: number;
  /**
   * Observations used to learn the baseline before any verdict (their plain mean and variance
   * seed the moving ones).
   * @default 30
   */
  readonly warmup?: number;
  /** Deviations smaller than this (in the series' unit) never alarm. @default 0 */
  readonly minDeviation?: number;
  /** Deviations smaller than this fraction of the baseline mean never alarm (0.2 = 20 %). @default 0 */
  readonly minRelativeDeviation?: number;
  /** Which side of the band alarms. @default "up" */
  readonly direction?: 'up' | 'down' | 'both';
  /** Names the detector in its events. @default 'ewmaDetector' */
  readonly name?: string;
  /** Where the events' `at` comes from. @default systemClock */
  readonly clock?: Clock;
}

/** Raised by {@link EwmaDetector.onAnomaly}: the observation and the baseline it broke out of. */
export interface AnomalyEvent extends EventPayload {
  /** The observation. */
  readonly value: number;
  /** The baseline (moving mean) before this observation. */
  readonly mean: number;
  /** The baseline's moving standard deviation before this observation. */
  readonly stdDev: number;
  /** `(value − mean) / stdDev` (±Infinity when the baseline had no spread). */
  readonly deviations: number;
  /** The band the value fell outside of. */
  readonly band: { readonly low: number; readonly high: number };
  readonly threshold: number;
  readonly direction: 'up' | 'down';
  /** Observations seen, this one included. */
  readonly samples: number;
  /** Wall-clock time of the verdict, ms since the epoch. */
  readonly at: number;
}

/** Per-observation adjustments for {@link EwmaDetector.observe}. */
export interface ObserveOptions {
  /** A lower bound for the baseline's standard deviation for this observation (sampling noise known a priori). */
  readonly stdDevFloor?: number;
}

/** A streaming anomaly detector over one series. Create one with {@link ewmaDetector}. */
export interface EwmaDetector {
  /**
   * Adds an observation; returns the anomaly when it falls outside the band (and emits it on
   * {@link EwmaDetector.onAnomaly}), else `undefined`. An anomalous value enters the baseline
   * clipped to the band's edge, so one spike does not blind the detector, while a lasting shift
   * still becomes the new normal over about `1/alpha` observations.
   */
  observe(value: number, options?: ObserveOptions): AnomalyEvent | undefined;
  readonly onAnomaly: Event<AnomalyEvent>;
  /** The moving mean (`NaN` before the first observation). */
  readonly mean: number;
  /** The moving standard deviation. */
  readonly stdDev: number;
  /** Observations seen. */
  readonly samples: number;
  /** Whether warm-up is over and verdicts are given. */
  readonly warm: boolean;
}

class Detector implements EwmaDetector {
  readonly #alpha: number;
  readonly #threshold: number;
  readonly #warmup: number;
  readonly #minDeviation: number;
  readonly #minRelative: number;
  readonly #direction: 'up' | 'down' | 'both';
  readonly #name: string;
  readonly #clock: Clock;
  readonly #onAnomaly = new EventEmitter<AnomalyEvent>();
  readonly onAnomaly = this.#onAnomaly.event;
  #n = 0;
  #mean = NaN;
  #variance = 0;
  #m2 = 0; // Welford's sum of squares during warm-up

  constructor(o: EwmaDetectorOptions) {
    this.#alpha = o.alpha ?? 0.05;
    this.#threshold = o.threshold ?? 5;
    this.#warmup = o.warmup ?? 30;
    this.#minDeviation = o.minDeviation ?? 0;
    this.#minRelative = o.minRelativeDeviation ?? 0;
    this.#direction = o.direction ?? 'up';
    this.#name = o.name ?? 'ewmaDetector';
    this.#clock = o.clock ?? systemClock;
  }

  get mean(): number {
    return this.#mean;
  }
  get stdDev(): number {
    return Math.sqrt(this.#variance);
  }
  get samples(): number {
    return this.#n;
  }
  get warm(): boolean {
    return this.#n >= this.#warmup;
  }

  observe(value: number, options?: ObserveOptions): AnomalyEvent | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidOption('value', value, 'a finite number');
    if (options !== undefined) {
      expectOptions('options', options, OBSERVE_OPTIONS);
      if (options.stdDevFloor !== undefined) expectNumber('stdDevFloor', options.stdDevFloor, { min: 0 });
    }
    if (!this.warm) {
      this.#n++;
      const delta = value - (this.#n === 1 ? 0 : this.#mean);
      this.#mean = this.#n === 1 ? value : this.#mean + delta / this.#n;
      if (this.#n > 1) this.#m2 += delta * (value - this.#mean);
      this.#variance = this.#n > 1 ? this.#m2 / (this.#n - 1) : 0;
      return undefined;
    }
    this.#n++;
    const mean = this.#mean;
    const stdDev = Math.max(Math.sqrt(this.#variance), options?.stdDevFloor ?? 0);
    const half = Math.max(this.#threshold * stdDev, this.#minDeviation, this.#minRelative * Math.abs(mean));
    const low = mean - half;
    const high = mean + half;
    let event: AnomalyEvent | undefined;
    const up = value > high && this.#direction !== 'down';
    const down = value < low && this.#direction !== 'up';
    if (up || down) {
      event = {
        name: this.#name,
        value,
        mean,
        stdDev,
        deviations: stdDev === 0 ? (value > mean ? Infinity : -Infinity) : (value - mean) / stdDev,
        band: { low, high },
        threshold: this.#threshold,
        direction: up ? 'up' : 'down',
        samples: this.#n,
        at: this.#clock.now(),
      };
    }
    const clipped = Math.min(high, Math.max(low, value));
    const diff = clipped - mean;
    const increment = this.#alpha * diff;
    this.#mean = mean + increment;
    this.#variance = (1 - this.#alpha) * (this.#variance + diff * increment);
    if (event !== undefined) this.#onAnomaly.emit(event);
    return event;
  }
}

const OBSERVE_OPTIONS = knownOptions<ObserveOptions>('observe()', { stdDevFloor: ['minStdDev', 'floor'] });

const EWMA_DETECTOR_OPTIONS = knownOptions<EwmaDetectorOptions>('ewmaDetector()', {
  alpha: [],
  threshold: [],
  warmup: [],
  minDeviation: [],
  minRelativeDeviation: [],
  direction: [],
  name: [],
  clock: [],
});

/**
 * An anomaly detector over one numeric series: an exponentially weighted moving mean and variance
 * (the baseline) and a band of `threshold` standard deviations around it. Observations outside the
 * band, after a warm-up, are anomalies — returned and emitted with the numbers that tripped them.
 *
 * Use {@link anomalyDetector} for call latency and error rate; this is the building block for any
 * other series (queue depth, cache hit ratio).
 *
 * @example
 * ```ts
 * declare const queue: unknown[];
 * const detector = ewmaDetector({ name: 'queue-depth', threshold: 4, warmup: 30 });
 * detector.onAnomaly((a) => console.warn(`${a.name}: ${a.value} outside [${a.band.low}, ${a.band.high}]`));
 * setInterval(() => detector.observe(queue.length), 10_000);
 * ```
 */
export function ewmaDetector(options: EwmaDetectorOptions = {}): EwmaDetector {
  expectOptions('options', options, EWMA_DETECTOR_OPTIONS);
  if (options.alpha !== undefined) {
    expectNumber('alpha', options.alpha, { above: 0, max: 1 });
  }
  if (options.threshold !== undefined) expectNumber('threshold', options.threshold, { min: 0 });
  if (options.warmup !== undefined) expectInteger('warmup', options.warmup, { min: 2 });
  if (options.minDeviation !== undefined) expectNumber('minDeviation', options.minDeviation, { min: 0 });
  if (options.minRelativeDeviation !== undefined) expectNumber('minRelativeDeviation', options.minRelativeDeviation, { min: 0 });
  if (options.direction !== undefined) expectOneOf('direction', options.direction, ['up', 'down', 'both'] as const);
  if (options.name !== undefined) expectName(options.name);
  expectClock('clock', options.clock);
  return new Detector(options);
}
