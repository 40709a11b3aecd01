import {
  EventEmitter,
  expectClock,
  expectInteger,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  type Clock,
  type Event,
  type EventPayload,
} from '@bulwark/core';

/** One multiwindow rule: alert when the burn rate exceeds `factor` over both windows. */
export interface BurnRateWindow {
  /** The alert's severity, such as `page` or `ticket`; unique per rule. */
  readonly severity: string;
  /** The long window, in ms: proves the budget is really burning. */
  readonly longWindowMs: number;
  /** The short window, in ms: proves it is still burning now (so the alert resets quickly). */
  readonly shortWindowMs: number;
  /** The burn rate (multiple of the rate that spends the budget exactly over the SLO period). */
  readonly factor: number;
}

/**
 * The multiwindow, multi-burn-rate rules of the Google SRE workbook ("Alerting on SLOs"): page at
 * 14.4× over 1 h and 5 min (2 % of a 30-day budget in an hour), ticket at 6× over 6 h and 30 min
 * (5 % in six hours).
 */
export const SRE_WORKBOOK_WINDOWS: readonly BurnRateWindow[] = Object.freeze([
  Object.freeze({ severity: 'page', longWindowMs: 3_600_000, shortWindowMs: 300_000, factor: 14.4 }),
  Object.freeze({ severity: 'ticket', longWindowMs: 21_600_000, shortWindowMs: 1_800_000, factor: 6 }),
]);

/** Options for {@link burnRateAlerts}. */
export interface BurnRateAlertsOptions {
  /** The SLO: the fraction of requests that must succeed, such as 0.999. */
  readonly objective: number;
  /** The rules. @default {@link SRE_WORKBOOK_WINDOWS} */
  readonly windows?: readonly BurnRateWindow[];
  /**
   * Resolution of the windows, in ms: counts are kept per bucket, and a window covers its length
   * to within one bucket. Memory is one bucket per `bucketMs` of the longest window.
   * @default one fifth of the shortest window (1 min for the workbook's rules)
   */
  readonly bucketMs?: number;
  /**
   * Once firing, a rule resolves only when a window's burn rate falls below
   * `factor × (1 − hysteresis)`, so a burn hovering at the factor does not page on and off.
   * @default 0.1
   */
  readonly hysteresis?: number;
  /** Fewest requests in a window for it to count; below, the rule does not fire (and a firing one resolves). @default 1 */
  readonly minRequests?: number;
  /** Names the SLO in the events. @default 'burnRateAlerts' */
  readonly name?: string;
  /** Windows follow `clock.monotonic()`; `at` follows `clock.now()`. @default systemClock */
  readonly clock?: Clock;
}

/** Raised when a rule starts (or stops) firing, with the numbers that tripped it. */
export interface BurnRateAlert extends EventPayload {
  readonly severity: string;
  readonly objective: number;
  /** `1 − objective`: the error rate that burns the budget at 1×. */
  readonly errorBudget: number;
  readonly factor: number;
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
  /** `errorRateLong / errorBudget`. */
  readonly burnRateLong: number;
  readonly burnRateShort: number;
  readonly errorRateLong: number;
  readonly errorRateShort: number;
  readonly requestsLong: number;
  readonly requestsShort: number;
  readonly errorsLong: number;
  readonly errorsShort: number;
  /** Wall-clock time of the evaluation, ms since the epoch. */
  readonly at: number;
}

/** SLO burn-rate alerting over two windows per rule. Create one with {@link burnRateAlerts}. */
export interface BurnRateAlerts {
  /** Records `count` requests (default 1) that succeeded (`ok`) or not; then evaluates the rules. */
  record(ok: boolean, count?: number): void;
  /**
   * Evaluates the rules at the current time (also done by every {@link BurnRateAlerts.record});
   * call it on a timer too if traffic may stop, so firing alerts resolve. Returns the alerts firing.
   */
  evaluate(): readonly BurnRateAlert[];
  /** A rule started firing. */
  readonly onAlert: Event<BurnRateAlert>;
  /** A rule stopped firing; the numbers are those of the evaluation that cleared it. */
  readonly onResolve: Event<BurnRateAlert>;
}

interface Rule extends BurnRateWindow {
  readonly longBuckets: number;
  readonly shortBuckets: number;
  firing: boolean;
  total: [number, number]; // long, short
  bad: [number, number];
}

class Alerts implements BurnRateAlerts {
  readonly #objective: number;
  readonly #budget: number;
  readonly #bucketMs: number;
  readonly #minRequests: number;
  readonly #hysteresis: number;
  readonly #name: string;
  readonly #clock: Clock;
  readonly #rules: Rule[];
  readonly #total: Float64Array;
  readonly #bad: Float64Array;
  readonly #epochs: Float64Array;
  readonly #onAlert = new EventEmitter<BurnRateAlert>();
  readonly #onResolve = new EventEmitter<BurnRateAlert>();
  readonly onAlert = this.#onAlert.event;
  readonly onResolve = this.#onResolve.event;
  #summedAt = -1;

  constructor(o: BurnRateAlertsOptions, windows: readonly BurnRateWindow[], bucketMs: number) {
    this.#objective = o.objective;
    this.#budget = 1 - o.objective;
    this.#bucketMs = bucketMs;
    this.#minRequests = o.minRequests ?? 1;
    this.#hysteresis = o.hysteresis ?? 0.1;
    this.#name = o.name ?? 'burnRateAlerts';
    this.#clock = o.clock ?? systemClock;
    this.#rules = windows.map((w) => ({
      severity: w.severity,
      longWindowMs: w.longWindowMs,
      shortWindowMs: w.shortWindowMs,
      factor: w.factor,
      longBuckets: Math.max(1, Math.ceil(w.longWindowMs / bucketMs)),
      shortBuckets: Math.max(1, Math.ceil(w.shortWindowMs / bucketMs)),
      firing: false,
      total: [0, 0],
      bad: [0, 0],
    }));
    const slots = Math.max(...this.#rules.map((r) => r.longBuckets)) + 1;
    this.#total = new Float64Array(slots);
    this.#bad = new Float64Array(slots);
    this.#epochs = new Float64Array(slots).fill(-1);
  }

  record(ok: boolean, count = 1): void {
    if (typeof ok !== 'boolean') throw invalidOption('ok', ok, 'a boolean');
    expectNumber('count', count, { min: 0 });
    const epoch = this.#epoch();
    const slot = this.#slot(epoch);
    this.#total[slot]! += count;
    if (!ok) this.#bad[slot]! += count;
    if (this.#summedAt === epoch) {
      // The current bucket lies in every window: keep the sums without a rescan.
      for (const rule of this.#rules) {
        for (const i of [0, 1] as const) {
          rule.total[i] += count;
          if (!ok) rule.bad[i] += count;
        }
      }
    }
    this.#judge(epoch);
  }

  evaluate(): readonly BurnRateAlert[] {
    const epoch = this.#epoch();
    this.#judge(epoch);
    return this.#rules.filter((r) => r.firing).map((r) => this.#alert(r));
  }

  #epoch(): number {
    return Math.floor(this.#clock.monotonic() / this.#bucketMs);
  }

  #slot(epoch: number): number {
    const slot = epoch % this.#epochs.length;
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch;
      this.#total[slot] = 0;
      this.#bad[slot] = 0;
    }
    return slot;
  }

  #sum(epoch: number, buckets: number): [number, number] {
    let total = 0;
    let bad = 0;
    const n = this.#epochs.length;
    for (let e = epoch - buckets + 1; e <= epoch; e++) {
      if (e < 0) continue;
      const slot = e % n;
      if (this.#epochs[slot] !== e) continue;
      total += this.#total[slot]!;
      bad += this.#bad[slot]!;
    }
    return [total, bad];
  }

  #judge(epoch: number): void {
    if (this.#summedAt !== epoch) {
      for (const rule of this.#rules) {
        const long = this.#sum(epoch, rule.longBuckets);
        const short = this.#sum(epoch, rule.shortBuckets);
        rule.total = [long[0], short[0]];
        rule.bad = [long[1], short[1]];
      }
      this.#summedAt = epoch;
    }
    for (const rule of this.#rules) {
      const bar = rule.firing ? rule.factor * (1 - this.#hysteresis) : rule.factor;
      const burning = [0, 1].every(
        (i) => rule.total[i]! >= this.#minRequests && rule.bad[i]! / rule.total[i]! / this.#budget >= bar,
      );
      if (burning === rule.firing) continue;
      rule.firing = burning;
      (burning ? this.#onAlert : this.#onResolve).emit(this.#alert(rule));
    }
  }

  #alert(rule: Rule): BurnRateAlert {
    const rate = (i: 0 | 1): number => (rule.total[i] === 0 ? 0 : rule.bad[i] / rule.total[i]);
    return {
      name: this.#name,
      severity: rule.severity,
      objective: this.#objective,
      errorBudget: this.#budget,
      factor: rule.factor,
      longWindowMs: rule.longWindowMs,
      shortWindowMs: rule.shortWindowMs,
      burnRateLong: rate(0) / this.#budget,
      burnRateShort: rate(1) / this.#budget,
      errorRateLong: rate(0),
      errorRateShort: rate(1),
      requestsLong: rule.total[0],
      requestsShort: rule.total[1],
      errorsLong: rule.bad[0],
      errorsShort: rule.bad[1],
      at: this.#clock.now(),
    };
  }
}

const BURN_RATE_ALERTS_OPTIONS = knownOptions<BurnRateAlertsOptions>('burnRateAlerts()', {
  objective: ['slo', 'target'],
  windows: [],
  bucketMs: [],
  hysteresis: [],
  minRequests: [],
  name: [],
  clock: [],
});

const BURN_RATE_WINDOW_OPTIONS = knownOptions<BurnRateWindow>('burnRateAlerts()', {
  severity: [],
  longWindowMs: [],
  shortWindowMs: [],
  factor: [],
});

/**
 * SLO burn-rate alerts over two windows per rule — the multiwindow, multi-burn-rate scheme of the
 * Google SRE workbook. The burn rate is the error rate divided by the error budget (`1 − objective`);
 * a rule fires when it reaches `factor` over both its long window (a real problem) and its short
 * one (still happening), and resolves as soon as either drops below (less a small hysteresis).
 *
 * Counts are kept in a ring of buckets (`bucketMs`), bounded by the longest window. All time comes
 * from the injected clock.
 *
 * @example
 * ```ts
 * declare const pager: { trigger(severity: string, summary: string): void };
 * declare const ok: boolean;
 * const slo = burnRateAlerts({ objective: 0.999, name: 'validate' });
 * slo.onAlert((a) => pager.trigger(a.severity, `burn ${a.burnRateLong.toFixed(1)}× over 1 h`));
 * // after each call:
 * slo.record(ok);
 * ```
 */
export function burnRateAlerts(options: BurnRateAlertsOptions): BurnRateAlerts {
  if (options === undefined) throw invalidOption('options', options, 'an options object with `objective`');
  expectOptions('options', options, BURN_RATE_ALERTS_OPTIONS);
  expectNumber('objective', options.objective, { above: 0, below: 1, reason: 'such as 0.999' });
  const windows = options.windows ?? SRE_WORKBOOK_WINDOWS;
  if (!Array.isArray(windows) || windows.length === 0) throw invalidOption('windows', windows, 'a non-empty array of rules');
  const severities = new Set<string>();
  windows.forEach((w: BurnRateWindow, i: number) => {
    expectOptions(`windows[${i}]`, w, BURN_RATE_WINDOW_OPTIONS);
    if (typeof w?.severity !== 'string' || w.severity.length === 0 || severities.has(w.severity)) {
      throw invalidOption(`windows[${i}].severity`, w?.severity, 'a non-empty string no other rule has');
    }
    severities.add(w.severity);
    expectNumber(`windows[${i}].longWindowMs`, w.longWindowMs, { min: 1 });
    expectNumber(`windows[${i}].shortWindowMs`, w.shortWindowMs, { min: 1, max: w.longWindowMs });
    expectNumber(`windows[${i}].factor`, w.factor, { min: 0 });
  });
  const bucketMs = options.bucketMs ?? Math.min(...windows.map((w: BurnRateWindow) => w.shortWindowMs)) / 5;
  expectNumber('bucketMs', bucketMs, { min: 1 });
  const longest = Math.max(...windows.map((w: BurnRateWindow) => w.longWindowMs));
  expectNumber('bucketMs', bucketMs, { min: Math.ceil(longest / 100_000), reason: 'at most 100_000 buckets in the longest window' });
  if (options.hysteresis !== undefined) expectNumber('hysteresis', options.hysteresis, { min: 0, max: 1 });
  if (options.minRequests !== undefined) expectInteger('minRequests', options.minRequests, { min: 1 });
  if (options.name !== undefined) expectName(options.name);
  expectClock('clock', options.clock);
  return new Alerts(options, windows, bucketMs);
}
