import {
  CallContext,
  expectBoolean,
  expectClock,
  expectFunction,
  expectInteger,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Clock,
  type Policy,
  type PolicyFunction,
} from '@bulwark/core';
import type { Meter } from '@opentelemetry/api';
import type { ResultAsync } from 'neverthrow';
import { LimitedCounter, LimitedHistogram } from './internal/limited-instruments.js';
import { LogHistogram } from './internal/log-histogram.js';
import { DURATION_BUCKETS_SECONDS } from './policy-metrics.js';

/** The key every key past `maxKeysPerApi` (or API past `maxApis`) is counted under. */
export const USAGE_OVERFLOW_KEY = '__overflow__';

/** Options for {@link usageTracker}. */
export interface UsageTrackerOptions {
  /** The most APIs tracked; later ones are counted under {@link USAGE_OVERFLOW_KEY}. @default 100 */
  readonly maxApis?: number;
  /** The most keys tracked per API; later ones are counted under {@link USAGE_OVERFLOW_KEY}. @default 1000 */
  readonly maxKeysPerApi?: number;
  /** Where {@link UsageTracker.policy} reads time. @default systemClock */
  readonly clock?: Clock;
  /**
   * Also record every request as OpenTelemetry metrics on this meter: `bulwark.usage.requests`
   * (counter; `bulwark.api`, `bulwark.key`, `bulwark.call.outcome`) and `bulwark.usage.duration`
   * (histogram in seconds; `bulwark.api`, `bulwark.call.outcome`), each capped at
   * `cardinalityLimit` series like every metric of this package.
   */
  readonly meter?: Meter;
  /** Series per metric when `meter` is given. @default 2000 */
  readonly cardinalityLimit?: number;
}

/** Latency percentiles, in milliseconds, each within 1 % of the true sample of that rank. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  /** Exact. */
  readonly min: number;
  /** Exact. */
  readonly max: number;
  /** Exact. */
  readonly mean: number;
}

/** Usage of one API, or of one key of an API. */
export interface UsageStats {
  readonly requests: number;
  readonly errors: number;
  /** `errors / requests`, 0 when there were no requests. */
  readonly errorRate: number;
  /** `undefined` until a request completed. */
  readonly latencyMs: LatencySummary | undefined;
}

/** Usage of one API with the breakdown per key. */
export interface ApiUsage extends UsageStats {
  readonly keys: Readonly<Record<string, UsageStats>>;
}

/** What {@link UsageTracker.snapshot} returns: per API, per key. */
export interface UsageSnapshot {
  readonly apis: Readonly<Record<string, ApiUsage>>;
}

/** Options for {@link UsageTracker.snapshot}. */
export interface SnapshotOptions {
  /** Start counting afresh after reading, for per-interval reports. @default false */
  readonly reset?: boolean;
}

/** Requests, errors and latency percentiles per API and per key. Create one with {@link usageTracker}. */
export interface UsageTracker {
  /** Records one finished request. `key` is the API key, tenant or user the request was made for; `api` a non-empty string, `durationMs` a non-negative number, `ok` a boolean (a `TypeError` names any other). */
  record(api: string, key: string | undefined, durationMs: number, ok: boolean): void;
  /** A policy that records every call it runs (duration on the clock, failure when it rejects). */
  policy(api: string, key?: string): Policy;
  /** The usage so far (or since the last reset). */
  snapshot(options?: SnapshotOptions): UsageSnapshot;
}

class Usage {
  requests = 0;
  errors = 0;
  latency = new LogHistogram();

  record(durationMs: number, ok: boolean): void {
    this.requests++;
    if (!ok) this.errors++;
    this.latency.record(durationMs);
  }

  stats(): UsageStats {
    const h = this.latency;
    let latencyMs: LatencySummary | undefined;
    if (h.count > 0) {
      const [p50, p90, p95, p99] = h.quantiles([0.5, 0.9, 0.95, 0.99]) as number[];
      latencyMs = { p50: p50!, p90: p90!, p95: p95!, p99: p99!, min: h.min, max: h.max, mean: h.sum / h.count };
    }
    return { requests: this.requests, errors: this.errors, errorRate: this.requests === 0 ? 0 : this.errors / this.requests, latencyMs };
  }
}

class Api extends Usage {
  keys = new Map<string, Usage>();
}

interface UsageInstruments {
  readonly requests: LimitedCounter;
  readonly duration: LimitedHistogram;
}

class Tracker implements UsageTracker {
  readonly #maxApis: number;
  readonly #maxKeys: number;
  readonly #clock: Clock;
  readonly #instruments: UsageInstruments | undefined;
  #apis = new Map<string, Api>();

  constructor(maxApis: number, maxKeys: number, clock: Clock, meter: Meter | undefined, limit: number) {
    this.#maxApis = maxApis;
    this.#maxKeys = maxKeys;
    this.#clock = clock;
    this.#instruments =
      meter === undefined
        ? undefined
        : {
            requests: new LimitedCounter(meter, 'bulwark.usage.requests', '{request}', 'Requests per API and key, by outcome.', limit),
            duration: new LimitedHistogram(meter, 'bulwark.usage.duration', 's', 'Request duration per API, by outcome.', DURATION_BUCKETS_SECONDS, limit),
          };
  }

  record(api: string, key: string | undefined, durationMs: number, ok: boolean): void {
    if (typeof api !== 'string' || api.length === 0) throw invalidOption('api', api, 'a non-empty string');
    if (key !== undefined && typeof key !== 'string') throw invalidOption('key', key, 'a string or undefined');
    // A NaN would read as a 0 ms call, and `ok: 'no'` as a success: both refused, as anomalyDetector's record does.
    expectNumber('durationMs', durationMs, { min: 0 });
    expectBoolean('ok', ok);
    let entry = this.#apis.get(api);
    if (entry === undefined) {
      const name = this.#apis.size < this.#maxApis - 1 ? api : USAGE_OVERFLOW_KEY;
      entry = this.#apis.get(name);
      if (entry === undefined) this.#apis.set(name, (entry = new Api()));
    }
    entry.record(durationMs, ok);
    const m = this.#instruments;
    if (m !== undefined) {
      const outcome = ok ? 'success' : 'failure';
      const attributes = { 'bulwark.api': api, 'bulwark.call.outcome': outcome };
      m.duration.record(Math.max(0, durationMs) / 1000, attributes);
      m.requests.add(key === undefined ? attributes : { ...attributes, 'bulwark.key': key });
    }
    if (key === undefined) return;
    let usage = entry.keys.get(key);
    if (usage === undefined) {
      const name = entry.keys.size < this.#maxKeys - 1 ? key : USAGE_OVERFLOW_KEY;
      usage = entry.keys.get(name);
      if (usage === undefined) entry.keys.set(name, (usage = new Usage()));
    }
    usage.record(durationMs, ok);
  }

  policy(api: string, key?: string): Policy {
    if (typeof api !== 'string' || api.length === 0) throw invalidOption('api', api, 'a non-empty string');
    if (key !== undefined && typeof key !== 'string') throw invalidOption('key', key, 'a string or undefined');
    const clock = this.#clock;
    const execute = async <T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> => {
      expectFunction('fn', fn);
      const call = new CallContext(signal);
      const started = clock.monotonic();
      let ok = false;
      try {
        const value = await fn(call);
        ok = true;
        return value;
      } finally {
        call.release();
        this.record(api, key, clock.monotonic() - started, ok);
      }
    };
    const policy: Policy = {
      execute,
      executeResult: <T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> => toResult(execute(fn, signal)),
    };
    return policy;
  }

  snapshot(options: SnapshotOptions = {}): UsageSnapshot {
    // A misspelt `reset` would otherwise keep counting into the next report without a word.
    expectOptions('options', options, SNAPSHOT_OPTIONS);
    if (options.reset !== undefined) expectBoolean('reset', options.reset);
    const apis: Record<string, ApiUsage> = {};
    for (const [name, api] of this.#apis) {
      const keys: Record<string, UsageStats> = {};
      for (const [key, usage] of api.keys) keys[key] = usage.stats();
      apis[name] = { ...api.stats(), keys };
    }
    if (options.reset === true) this.#apis = new Map();
    return { apis };
  }
}

const SNAPSHOT_OPTIONS = knownOptions<SnapshotOptions>('snapshot()', { reset: ['clear'] });

const USAGE_TRACKER_OPTIONS = knownOptions<UsageTrackerOptions>('usageTracker()', {
  maxApis: [],
  maxKeysPerApi: ['maxKeys'],
  clock: [],
  meter: [],
  cardinalityLimit: [],
});

/**
 * Tracks requests, errors and latency percentiles per API and per key (API key, tenant, user),
 * in bounded memory: at most `maxApis × maxKeysPerApi` entries, each a log-bucketed histogram whose
 * percentiles are within 1 % (relative) of the exact sample of that rank and which holds at most
 * about 1,270 buckets whatever the traffic. APIs and keys past the caps are counted under
 * {@link USAGE_OVERFLOW_KEY}, so nothing goes uncounted.
 *
 * @example
 * ```ts
 * declare const apiKeyId: string;
 * declare function callUpstream(): Promise<{ valid: boolean }>;
 * const usage = usageTracker();
 * const result = await usage.policy('validate', apiKeyId).execute(() => callUpstream());
 * const { apis } = usage.snapshot();
 * console.log(apis.validate?.latencyMs?.p99, apis.validate?.errorRate);
 * ```
 */
export function usageTracker(options: UsageTrackerOptions = {}): UsageTracker {
  expectOptions('options', options, USAGE_TRACKER_OPTIONS);
  if (options.maxApis !== undefined) expectInteger('maxApis', options.maxApis, { min: 2 });
  if (options.maxKeysPerApi !== undefined) expectInteger('maxKeysPerApi', options.maxKeysPerApi, { min: 2 });
  expectClock('clock', options.clock);
  if (options.meter !== undefined && (typeof options.meter !== 'object' || options.meter === null || typeof options.meter.createCounter !== 'function')) {
    throw invalidOption('meter', options.meter, 'an OpenTelemetry Meter');
  }
  if (options.cardinalityLimit !== undefined) expectInteger('cardinalityLimit', options.cardinalityLimit, { min: 2 });
  return new Tracker(options.maxApis ?? 100, options.maxKeysPerApi ?? 1000, options.clock ?? systemClock, options.meter, options.cardinalityLimit ?? 2000);
}
