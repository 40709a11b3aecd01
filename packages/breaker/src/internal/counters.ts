import { CircuitState as CockatielState, type IBreaker } from 'cockatiel';
import { expectInteger, expectNumber, expectOneOf, expectOptions, invalidOption, knownOptions } from '@bulwark/core';
import type { BreakerSpec, ConsecutiveBreakerSpec, CountWindowSpec, TimeWindowSpec, WindowThresholds } from '../breaker-spec.js';

/** Why a breaker asked to open. */
export type TripReason = 'consecutive-failures' | 'failure-rate' | 'slow-call-rate' | 'breaker';

/** What a window holds, for events. */
interface WindowStats {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
}

/**
 * The closed-state bookkeeping of a circuit. `record` runs on every call that counts, so it must
 * not allocate.
 */
export interface Counter {
  /** Whether the breaker must time calls (slow calls, time slices); when false `record` always gets `slow` false. */
  readonly timed: boolean;
  readonly slowCallDurationMs: number;
  /** Records one call; returns why the circuit should open, or undefined. */
  record(failed: boolean, slow: boolean): TripReason | undefined;
  /** Forgets every recorded call (on opening and on closing). */
  reset(): void;
  /** The circuit closed after a successful half-open episode. */
  closedAfterProbe(): void;
  /** The circuit reopens after a failed probe. */
  reopenedAfterProbe(): void;
  stats(): WindowStats;
  /** A JSON-safe copy of the state, for snapshots. */
  save(): unknown;
  /** Restores what {@link Counter.save} returned; throws a TypeError on anything else. */
  load(saved: unknown): void;
}

const badSnapshot = (field: string, value: unknown, expected: string): TypeError =>
  invalidOption(`snapshot.window${field}`, value, expected);

class Consecutive implements Counter {
  readonly timed = false;
  readonly slowCallDurationMs = Infinity;
  readonly threshold: number;
  #failures = 0;
  constructor(threshold: number) {
    this.threshold = threshold;
  }
  record(failed: boolean): TripReason | undefined {
    if (!failed) {
      this.#failures = 0;
      return undefined;
    }
    return ++this.#failures >= this.threshold ? 'consecutive-failures' : undefined;
  }
  reset(): void {
    this.#failures = 0;
  }
  closedAfterProbe(): void {}
  reopenedAfterProbe(): void {}
  stats(): WindowStats {
    return { calls: this.#failures, failures: this.#failures, slowCalls: 0 };
  }
  save(): unknown {
    return this.#failures;
  }
  load(saved: unknown): void {
    if (typeof saved !== 'number' || !Number.isInteger(saved) || saved < 0) throw badSnapshot('', saved, 'a non-negative integer');
    this.#failures = Math.min(saved, this.threshold - 1);
  }
}

interface Thresholds {
  readonly minimumCalls: number;
  readonly failureRate: number;
  readonly slowCallDurationMs: number;
  readonly slowCallRate: number;
}

function trip(t: Thresholds, calls: number, failures: number, slow: number): TripReason | undefined {
  if (calls < t.minimumCalls) return undefined;
  if (failures >= t.failureRate * calls) return 'failure-rate';
  if (slow >= t.slowCallRate * calls) return 'slow-call-rate';
  return undefined;
}

// Outcome codes packed in one byte: bit 0 failed, bit 1 slow.
const FAILED = 1;
const SLOW = 2;

class CountWindow implements Counter {
  readonly timed: boolean;
  readonly slowCallDurationMs: number;
  readonly #t: Thresholds;
  readonly #ring: Uint8Array;
  #next = 0;
  #calls = 0;
  #failures = 0;
  #slow = 0;

  constructor(size: number, t: Thresholds) {
    this.#t = t;
    this.#ring = new Uint8Array(size);
    this.slowCallDurationMs = t.slowCallDurationMs;
    this.timed = t.slowCallDurationMs !== Infinity;
  }

  record(failed: boolean, slow: boolean): TripReason | undefined {
    const ring = this.#ring;
    if (this.#calls === ring.length) {
      const old = ring[this.#next]!;
      if (old & FAILED) this.#failures--;
      if (old & SLOW) this.#slow--;
    } else {
      this.#calls++;
    }
    ring[this.#next] = (failed ? FAILED : 0) | (slow ? SLOW : 0);
    if (failed) this.#failures++;
    if (slow) this.#slow++;
    this.#next = this.#next + 1 === ring.length ? 0 : this.#next + 1;
    // Every call may cross a threshold: a success can bring the window up to `minimumCalls`.
    return trip(this.#t, this.#calls, this.#failures, this.#slow);
  }

  reset(): void {
    this.#next = this.#calls = this.#failures = this.#slow = 0;
  }
  closedAfterProbe(): void {}
  reopenedAfterProbe(): void {}
  stats(): WindowStats {
    return { calls: this.#calls, failures: this.#failures, slowCalls: this.#slow };
  }
  save(): unknown {
    const out: number[] = [];
    const n = this.#ring.length;
    const start = this.#calls === n ? this.#next : 0;
    for (let i = 0; i < this.#calls; i++) out.push(this.#ring[(start + i) % n]!);
    return out;
  }
  load(saved: unknown): void {
    if (!Array.isArray(saved) || saved.some((c) => c !== 0 && c !== 1 && c !== 2 && c !== 3)) {
      throw badSnapshot('', saved, 'an array of outcome codes (0 to 3)');
    }
    this.reset();
    for (const code of saved.slice(-this.#ring.length) as number[]) this.record((code & FAILED) !== 0, (code & SLOW) !== 0);
  }
}

/**
 * Slices are aligned on the wall clock, as resilience4j's epoch seconds are, so that a snapshot
 * restored in another process lands in the same slices. A wall clock that steps back counts its
 * calls in the newest slice rather than rewriting an old one.
 */
class TimeWindow implements Counter {
  readonly timed = true; // slices need the time of every call
  readonly slowCallDurationMs: number;
  readonly #t: Thresholds;
  readonly #wall: () => number;
  readonly #width: number;
  readonly #n: number;
  readonly #calls: Uint32Array;
  readonly #failures: Uint32Array;
  readonly #slowCalls: Uint32Array;
  #head = -Infinity;
  #total = 0;
  #totalFailures = 0;
  #totalSlow = 0;

  constructor(windowMs: number, buckets: number, t: Thresholds, wall: () => number) {
    this.#t = t;
    this.#wall = wall;
    this.#n = buckets;
    this.#width = windowMs / buckets;
    this.#calls = new Uint32Array(buckets);
    this.#failures = new Uint32Array(buckets);
    this.#slowCalls = new Uint32Array(buckets);
    this.slowCallDurationMs = t.slowCallDurationMs;
  }

  #slot(idx: number): number {
    return ((idx % this.#n) + this.#n) % this.#n;
  }

  /** Moves the window to the slice of `wallMs`, dropping the slices that left it; returns its slot. */
  #advance(wallMs: number): number {
    const idx = Math.floor(wallMs / this.#width);
    if (idx > this.#head) {
      const from = Math.max(this.#head + 1, idx - this.#n + 1);
      for (let e = from; e <= idx; e++) this.#clear(this.#slot(e));
      this.#head = idx;
    }
    return this.#slot(this.#head);
  }

  #clear(slot: number): void {
    this.#total -= this.#calls[slot]!;
    this.#totalFailures -= this.#failures[slot]!;
    this.#totalSlow -= this.#slowCalls[slot]!;
    this.#calls[slot] = this.#failures[slot] = this.#slowCalls[slot] = 0;
  }

  #add(slot: number, calls: number, failures: number, slow: number): void {
    this.#calls[slot]! += calls;
    this.#failures[slot]! += failures;
    this.#slowCalls[slot]! += slow;
    this.#total += calls;
    this.#totalFailures += failures;
    this.#totalSlow += slow;
  }

  record(failed: boolean, slow: boolean): TripReason | undefined {
    this.#add(this.#advance(this.#wall()), 1, failed ? 1 : 0, slow ? 1 : 0);
    return trip(this.#t, this.#total, this.#totalFailures, this.#totalSlow);
  }

  reset(): void {
    for (let i = 0; i < this.#n; i++) this.#clear(i);
    this.#head = -Infinity;
  }
  closedAfterProbe(): void {}
  reopenedAfterProbe(): void {}
  stats(): WindowStats {
    this.#advance(this.#wall());
    return { calls: this.#total, failures: this.#totalFailures, slowCalls: this.#totalSlow };
  }
  save(): unknown {
    this.#advance(this.#wall());
    const out: Array<[number, number, number, number]> = [];
    for (let idx = this.#head - this.#n + 1; idx <= this.#head; idx++) {
      const slot = this.#slot(idx);
      if (this.#calls[slot]! > 0) out.push([idx * this.#width, this.#calls[slot]!, this.#failures[slot]!, this.#slowCalls[slot]!]);
    }
    return out;
  }
  load(saved: unknown): void {
    const ok =
      Array.isArray(saved) &&
      saved.every(
        (b) =>
          Array.isArray(b) &&
          b.length === 4 &&
          b.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
          b.slice(1).every((x: number) => Number.isInteger(x) && x >= 0) &&
          b[2] <= b[1] &&
          b[3] <= b[1],
      );
    if (!ok) throw badSnapshot('', saved, 'an array of [sliceStartMs, calls, failures, slowCalls] slices');
    this.reset();
    const oldest = Math.floor(this.#wall() / this.#width) - this.#n + 1;
    // Oldest first: the window only ever moves forward.
    const slices = [...(saved as Array<[number, number, number, number]>)].sort((a, b) => a[0] - b[0]);
    for (const [startMs, calls, failures, slow] of slices) {
      if (Math.floor(startMs / this.#width) < oldest) continue;
      this.#add(this.#advance(startMs), calls, failures, slow);
    }
  }
}

/** Adapts any cockatiel `IBreaker`; cockatiel decides, we keep the states. */
class Cockatiel implements Counter {
  readonly timed = false;
  readonly slowCallDurationMs = Infinity;
  readonly breaker: IBreaker;
  constructor(breaker: IBreaker) {
    this.breaker = breaker;
  }
  record(failed: boolean): TripReason | undefined {
    if (!failed) {
      this.breaker.success(CockatielState.Closed);
      return undefined;
    }
    return this.breaker.failure(CockatielState.Closed) ? 'breaker' : undefined;
  }
  reset(): void {}
  closedAfterProbe(): void {
    this.breaker.success(CockatielState.HalfOpen);
  }
  reopenedAfterProbe(): void {
    this.breaker.failure(CockatielState.HalfOpen);
  }
  stats(): WindowStats {
    return { calls: 0, failures: 0, slowCalls: 0 };
  }
  save(): unknown {
    return this.breaker.state;
  }
  load(saved: unknown): void {
    this.breaker.state = saved;
  }
}

const isCockatielBreaker = (spec: object): spec is IBreaker =>
  typeof (spec as IBreaker).success === 'function' && typeof (spec as IBreaker).failure === 'function';

function thresholds(spec: WindowThresholds, defaultMinimum: number): Thresholds {
  const minimumCalls = spec.minimumCalls ?? defaultMinimum;
  expectInteger('breaker.minimumCalls', minimumCalls, { min: 1 });
  const failureRate = spec.failureRateThreshold ?? 0.5;
  expectNumber('breaker.failureRateThreshold', failureRate, { above: 0, max: 1 });
  const slowCallDurationMs = spec.slowCallDurationMs ?? Infinity;
  if (spec.slowCallDurationMs !== undefined) expectNumber('breaker.slowCallDurationMs', slowCallDurationMs, { min: 0 });
  const slowCallRate = spec.slowCallRateThreshold ?? 1;
  expectNumber('breaker.slowCallRateThreshold', slowCallRate, { above: 0, max: 1 });
  if (spec.slowCallRateThreshold !== undefined && spec.slowCallDurationMs === undefined) {
    throw invalidOption('breaker.slowCallDurationMs', undefined, 'set when `breaker.slowCallRateThreshold` is');
  }
  return { minimumCalls, failureRate, slowCallDurationMs, slowCallRate };
}

const THRESHOLD_OPTIONS = {
  minimumCalls: ['minimumNumberOfCalls', 'volumeThreshold'],
  failureRateThreshold: ['errorThresholdPercentage', 'failureRate'],
  slowCallDurationMs: ['slowCallDurationThreshold', 'slowCallDuration'],
  slowCallRateThreshold: ['slowCallRate'],
} as const;

// A misspelt field would otherwise fall back to its default without a word.
const SPEC_OPTIONS = {
  consecutive: knownOptions<ConsecutiveBreakerSpec>('circuitBreaker()', {
    kind: [],
    threshold: ['failureThreshold', 'consecutiveFailures', 'maxFailures'],
  }),
  count: knownOptions<CountWindowSpec>('circuitBreaker()', { kind: [], size: ['slidingWindowSize', 'windowSize'], ...THRESHOLD_OPTIONS }),
  time: knownOptions<TimeWindowSpec>('circuitBreaker()', {
    kind: [],
    windowMs: ['rollingCountTimeout', 'duration', 'window'],
    buckets: ['rollingCountBuckets'],
    ...THRESHOLD_OPTIONS,
  }),
};

/** Validates a {@link BreakerSpec} and builds its counter. */
export function createCounter(spec: BreakerSpec, wall: () => number): Counter {
  if (typeof spec !== 'object' || spec === null) throw invalidOption('breaker', spec, 'a breaker spec object or a cockatiel IBreaker');
  if (isCockatielBreaker(spec)) return new Cockatiel(spec);
  expectOneOf('breaker.kind', (spec as { kind?: unknown }).kind, ['consecutive', 'count', 'time'] as const);
  expectOptions('breaker', spec, SPEC_OPTIONS[spec.kind]);
  switch (spec.kind) {
    case 'consecutive':
      expectInteger('breaker.threshold', spec.threshold, { min: 1 });
      return new Consecutive(spec.threshold);
    case 'count': {
      expectInteger('breaker.size', spec.size, { min: 1, max: 1_000_000 });
      const t = thresholds(spec, spec.size);
      if (t.minimumCalls > spec.size) throw invalidOption('breaker.minimumCalls', t.minimumCalls, `at most \`breaker.size\` (${spec.size})`);
      return new CountWindow(spec.size, t);
    }
    case 'time': {
      expectNumber('breaker.windowMs', spec.windowMs, { min: 1 });
      const buckets = spec.buckets ?? 10;
      expectInteger('breaker.buckets', buckets, { min: 1, max: 1000 });
      return new TimeWindow(spec.windowMs, buckets, thresholds(spec, 20), wall);
    }
  }
}

/** Whether a spec can be reused to build a fresh counter for each breaker (a registry needs that). */
export function isReusableSpec(spec: BreakerSpec | undefined): boolean {
  return spec === undefined || !isCockatielBreaker(spec);
}
