import {
  CallContext,
  EVENT_NAMES,
  eventsOf,
  expectBoolean,
  expectClock,
  expectFunction,
  expectInteger,
  expectName,
  expectNumber,
  expectOptions,
  invalidOption,
  knownOptions,
  systemClock,
  toResult,
  type AbortSource,
  type BulwarkError,
  type Clock,
  type Disposable,
  type EventName,
  type EventPayloads,
  type Policy,
  type PolicyFunction,
} from '@bulwark/core';
import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import type { ResultAsync } from 'neverthrow';
import { errorType } from './internal/error-type.js';
import { PolicyMetricsClosedError } from './policy-metrics-closed-error.js';
import { LimitedCounter, LimitedHistogram, PendingSums } from './internal/limited-instruments.js';
import { SeriesTable } from './internal/series-table.js';
import { nameOf, normalizeState, numberField, stringField, type EventSource } from './internal/source.js';

/** Default histogram boundaries for call durations, in seconds (those of OTel's HTTP semantic conventions). */
export const DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);
const WAIT_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const ATTEMPT_BUCKETS = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20];

/** Options for {@link policyMetrics}. */
export interface PolicyMetricsOptions {
  /**
   * The most series (distinct attribute sets) one metric may hold. Past it, new attribute sets are
   * recorded under the single attribute `otel.metric.overflow=true`, as the OpenTelemetry SDK
   * specification does, so that a key-per-user attribute cannot grow memory without bound.
   * @default 2000
   */
  readonly cardinalityLimit?: number;
  /**
   * Add the `key` of an event (a rate limiter's, a cache's) as the `bulwark.key` attribute. Keys are often
   * per user or per item: leave this off unless they are few, and rely on the cap when they are not.
   * @default false
   */
  readonly keyAttribute?: boolean;
  /** Bucket boundaries of `bulwark.call.duration` and `bulwark.http.response.duration`, in seconds, ascending. @default {@link DURATION_BUCKETS_SECONDS} */
  readonly durationBucketsSeconds?: readonly number[];
  /** Where {@link PolicyMetrics.measure} reads time. @default systemClock */
  readonly clock?: Clock;
}

/** Options for {@link PolicyMetrics.measure}. */
export interface MeasureOptions {
  /** The `bulwark.policy.name` attribute of the call metrics. */
  readonly name?: string;
}

/** A {@link Policy} that times each call into `bulwark.call.duration`. Made by {@link PolicyMetrics.measure}. */
export interface MeasuredPolicy extends Policy {
  readonly name: string | undefined;
}

/** What {@link policyMetrics} returns: one set of instruments, shared by every source instrumented. */
export interface PolicyMetrics {
  /**
   * Subscribes to every event of core's `EVENT_CATALOG` that each source has (found by its `onXxx`
   * names) and records them. Returns a handle that unsubscribes them all.
   * @throws TypeError when a source has none of the catalog's events.
   */
  instrument(...sources: readonly EventSource[]): Disposable;
  /** A policy to put in a pipeline (outermost, usually) that records call count, outcome and duration. */
  measure(options?: MeasureOptions): MeasuredPolicy;
  /** Calls recorded under `otel.metric.overflow=true` so far, per metric name. */
  readonly overflows: ReadonlyMap<string, number>;
  /**
   * Unsubscribes every source instrumented through this object and stops reporting breaker states.
   * Idempotent. Afterwards `instrument()` and `measure()` throw {@link PolicyMetricsClosedError}; a
   * policy `measure()` made before keeps running calls and timing them (the meter is yours to shut
   * down), since a call must not fail because its metrics were closed.
   */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The events {@link PolicyMetrics.instrument} records: every event of core's `EVENT_CATALOG` (its `EVENT_NAMES`). */
export const KNOWN_EVENTS: readonly EventName[] = EVENT_NAMES;

const BREAKER_STATES = ['closed', 'open', 'half_open'];
const LEARNED_KEYS_PER_SERIES = 10_000;

/** The methods OpenTelemetry's HTTP conventions name; any other is `_OTHER`, so a method cannot grow a metric. */
const HTTP_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);
const httpMethod = (method: unknown): string => (typeof method === 'string' && HTTP_METHODS.has(method) ? method : '_OTHER');

/** How one event is recorded: its payload (by the event's contract) and the attributes naming its source. */
type Handler<K extends EventName> = (payload: EventPayloads[K], attributes: Attributes, breaker: Breaker | undefined) => void;

interface Breaker {
  readonly name: string | undefined;
  readonly source: EventSource;
  state: string | undefined;
  /** No onStateChange: transitions are derived from onBreak, onReset and onHalfOpen. */
  readonly derived: boolean;
}

const POLICY = 'bulwark.policy.name';

class PolicyMetricsImpl implements PolicyMetrics {
  readonly #clock: Clock;
  readonly #keyAttribute: boolean;
  readonly #limiters = new Map<string, SeriesTable>();
  readonly #pending = new PendingSums();
  readonly #subscriptions = new Set<Disposable>();
  readonly #breakers = new Set<Breaker>();
  readonly #stateLimiter: SeriesTable;
  #closed = false;

  readonly #callDuration: LimitedHistogram;
  readonly #callActive: LimitedCounter;
  readonly #retryAttempts: LimitedHistogram;
  readonly #retries: LimitedCounter;
  readonly #retryDelay: LimitedHistogram;
  readonly #retryHedges: LimitedCounter;
  readonly #rejections: LimitedCounter;
  readonly #rejectionRetryAfter: LimitedHistogram;
  readonly #storeErrors: LimitedCounter;
  readonly #breakerTransitions: LimitedCounter;
  readonly #breakerOpens: LimitedCounter;
  readonly #registryBreakers: LimitedCounter;
  readonly #registryDrops: LimitedCounter;
  readonly #serverHints: LimitedCounter;
  readonly #limitChanges: LimitedCounter;
  readonly #cacheLookups: LimitedCounter;
  readonly #cacheRefreshes: LimitedCounter;
  readonly #cacheLoaderErrors: LimitedCounter;
  readonly #cacheEvictions: LimitedCounter;
  readonly #secretRotations: LimitedCounter;
  readonly #secretAccesses: LimitedCounter;
  readonly #secretRefreshFailures: LimitedCounter;
  readonly #secretChanges: LimitedCounter;
  readonly #timeouts: LimitedCounter;
  readonly #fallbacks: LimitedCounter;
  readonly #chaos: LimitedCounter;
  readonly #anomalies: LimitedCounter;
  readonly #burnRateAlerts: LimitedCounter;
  readonly #httpResponses: LimitedHistogram;
  readonly #httpAuthRefreshes: LimitedCounter;
  /** One handler per event of the catalog: the compiler refuses a catalog event without one. */
  readonly #handlers: { readonly [K in EventName]: Handler<K> };
  readonly #observeBreakers = (result: ObservableResult): void => {
    for (const breaker of this.#breakers) {
      const live = normalizeState((breaker.source as { state?: unknown }).state);
      const current = live ?? breaker.state;
      if (current === undefined) continue;
      const states = BREAKER_STATES.includes(current) ? BREAKER_STATES : [...BREAKER_STATES, current];
      for (const state of states) {
        const attributes: Attributes = { 'bulwark.breaker.state': state };
        if (breaker.name !== undefined) attributes[POLICY] = breaker.name;
        result.observe(state === current ? 1 : 0, this.#stateLimiter.lookup(attributes).attributes);
      }
    }
  };
  readonly #breakerState;
  /**
   * The learned rate of each series of `bulwark.ratelimit.learned_rate` (a limiter, or a limiter's
   * key with `keyAttribute`), per key: the gauge reports the lowest. Keys whose rate expired leave;
   * a series left with none reports 0 (an exporter keeps a series it has seen).
   */
  readonly #learned = new Map<string, { readonly attributes: Attributes; readonly rates: Map<string, number> }>();
  readonly #learnedLimiter: SeriesTable;
  readonly #learnedCap: number;
  readonly #observeLearned = (result: ObservableResult): void => {
    for (const { attributes, rates } of this.#learned.values()) {
      let lowest = rates.size === 0 ? 0 : Infinity;
      for (const rate of rates.values()) if (rate < lowest) lowest = rate;
      result.observe(lowest, this.#learnedLimiter.lookup(attributes).attributes);
    }
  };
  readonly #learnedRate;

  constructor(meter: Meter, options: PolicyMetricsOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#keyAttribute = options.keyAttribute ?? false;
    const limit = options.cardinalityLimit ?? 2000;
    const reg = this.#limiters;
    const pending = this.#pending;
    const counter = (name: string, unit: string, description: string): LimitedCounter =>
      new LimitedCounter(meter, name, unit, description, limit, { registry: reg, pending });
    const histogram = (name: string, unit: string, description: string, buckets: readonly number[]): LimitedHistogram =>
      new LimitedHistogram(meter, name, unit, description, buckets, limit, reg);

    this.#callDuration = histogram('bulwark.call.duration', 's', 'Duration of calls through a measured policy, by outcome.', options.durationBucketsSeconds ?? DURATION_BUCKETS_SECONDS);
    this.#callActive = new LimitedCounter(meter, 'bulwark.call.active', '{call}', 'Calls in progress through a measured policy.', limit, { registry: reg, kind: 'upDownCounter', pending });
    this.#retryAttempts = histogram('bulwark.retry.attempts', '{attempt}', 'Attempts made per call by a retry policy, by outcome (success or gave_up).', ATTEMPT_BUCKETS);
    this.#retries = counter('bulwark.retry.retries', '{retry}', 'Retries scheduled by a retry policy, by the error that caused them.');
    this.#retryDelay = histogram('bulwark.retry.delay', 's', 'Backoff delay before each retry.', WAIT_BUCKETS_SECONDS);
    this.#retryHedges = counter('bulwark.retry.hedges', '{attempt}', 'Hedged attempts started by a retry policy beside a slow one.');
    this.#rejections = counter('bulwark.rejections', '{call}', 'Calls refused without running (bulkhead full, circuit open, rate limited), by reason.');
    this.#rejectionRetryAfter = histogram('bulwark.rejection.retry_after', 's', 'How long a refused caller was told to wait before trying again.', WAIT_BUCKETS_SECONDS);
    this.#storeErrors = counter('bulwark.store.errors', '{error}', 'Failures of a shared store (Redis) after which the primitive decided locally, by operation and error type.');
    this.#breakerTransitions = counter('bulwark.breaker.transitions', '{transition}', 'Circuit breaker state changes, by from and to state.');
    this.#breakerOpens = counter('bulwark.breaker.opens', '{break}', 'Times a circuit opened, by reason.');
    this.#registryBreakers = new LimitedCounter(meter, 'bulwark.breaker.registry.breakers', '{breaker}', 'Breakers held by a circuit breaker registry.', limit, { registry: reg, kind: 'upDownCounter', pending });
    this.#registryDrops = counter('bulwark.breaker.registry.drops', '{breaker}', 'Breakers a registry dropped to stay within maxEntries, by their state then.');
    this.#serverHints = counter('bulwark.ratelimit.server_hints', '{hint}', 'Rate-limit hints (Retry-After, RateLimit headers) received from servers.');
    this.#limitChanges = counter('bulwark.ratelimit.limit_changes', '{change}', 'Changes of the rate a rate limiter learned from its server, by reason (policy, quota, refusal, expired).');
    this.#cacheLookups = counter('bulwark.cache.lookups', '{lookup}', 'Cache lookups, by result (hit, miss or stale) and tier.');
    this.#cacheRefreshes = counter('bulwark.cache.refreshes', '{refresh}', 'Background refreshes of cache entries.');
    this.#cacheLoaderErrors = counter('bulwark.cache.loader_errors', '{error}', 'Failures of the loader a cache called to fill an entry.');
    this.#cacheEvictions = counter('bulwark.cache.evictions', '{eviction}', 'Entries that left a cache\'s memory, by reason.');
    this.#secretRotations = counter('bulwark.secret.rotations', '{rotation}', 'Secret rotations observed, by secret name.');
    this.#secretAccesses = counter('bulwark.secret.accesses', '{access}', 'Audited secret operations, by action and secret name.');
    this.#secretRefreshFailures = counter('bulwark.secret.refresh_failures', '{failure}', 'Failed attempts to refresh a secret from its store.');
    this.#secretChanges = counter('bulwark.secret.changes', '{change}', 'Secret changes a provider saw at its source.');
    this.#timeouts = counter('bulwark.timeout.expirations', '{timeout}', 'Calls cut short by a timeout policy.');
    this.#fallbacks = counter('bulwark.fallback.activations', '{call}', 'Failed calls answered by a fallback, by the error they failed with.');
    this.#chaos = counter('bulwark.chaos.injections', '{injection}', 'Faults and latency injected by a chaos policy, by kind.');
    this.#anomalies = counter('bulwark.anomalies', '{anomaly}', 'Anomalies detected by an anomaly detector, by direction.');
    this.#burnRateAlerts = counter('bulwark.slo.burn_rate_alerts', '{transition}', 'Burn-rate alerts that started firing or resolved, by severity.');
    this.#httpResponses = histogram(
      'bulwark.http.response.duration',
      's',
      'Time from sending an HTTP request to its response headers, per attempt, by method and status.',
      options.durationBucketsSeconds ?? DURATION_BUCKETS_SECONDS,
    );
    this.#httpAuthRefreshes = counter('bulwark.http.auth_refreshes', '{refresh}', 'Credential refreshes an HTTP client asked for after a 401, by whether one came.');
    this.#handlers = this.#makeHandlers();
    this.#breakerState = meter.createObservableGauge('bulwark.breaker.state', {
      unit: '{state}',
      description: 'Circuit breaker state: 1 for the current state of each breaker, 0 for the others.',
    });
    this.#stateLimiter = new SeriesTable(limit);
    reg.set('bulwark.breaker.state', this.#stateLimiter);
    this.#breakerState.addCallback(this.#observeBreakers);
    this.#learnedRate = meter.createObservableGauge('bulwark.ratelimit.learned_rate', {
      unit: '{unit}/s',
      description: "The rate a rate limiter learned from its server's responses, units per second: per key with keyAttribute, else the lowest over its keys; 0 once none is learned (expired).",
    });
    this.#learnedLimiter = new SeriesTable(limit);
    this.#learnedCap = limit;
    reg.set('bulwark.ratelimit.learned_rate', this.#learnedLimiter);
    this.#learnedRate.addCallback(this.#observeLearned);
    // Counters take their additions when the SDK collects (it runs observable callbacks first); this
    // one stays after dispose(), so that additions made before it still reach the SDK.
    meter.addBatchObservableCallback(pending.flush, [this.#breakerState]);
  }

  get overflows(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [name, limiter] of this.#limiters) if (limiter.overflowed > 0) out.set(name, limiter.overflowed);
    return out;
  }

  instrument(...sources: readonly EventSource[]): Disposable {
    if (this.#closed) throw new PolicyMetricsClosedError('instrument');
    sources.forEach((source, i) => {
      if (typeof source !== 'object' || source === null || eventsOf(source).length === 0) {
        throw invalidOption(`sources[${i}]`, source, `an object with at least one Bulwark event (${EVENT_NAMES.join(', ')})`);
      }
    });
    const subscriptions: Disposable[] = [];
    const breakers: Breaker[] = [];
    for (const source of sources) this.#subscribe(source, subscriptions, breakers);
    for (const s of subscriptions) this.#subscriptions.add(s);
    for (const b of breakers) this.#breakers.add(b);
    const dispose = (): void => {
      for (const s of subscriptions) {
        s.dispose();
        this.#subscriptions.delete(s);
      }
      for (const b of breakers) this.#breakers.delete(b);
    };
    return { dispose, [Symbol.dispose]: dispose };
  }

  measure(options: MeasureOptions = {}): MeasuredPolicy {
    if (this.#closed) throw new PolicyMetricsClosedError('measure');
    expectOptions('options', options, MEASURE_OPTIONS);
    if (options.name !== undefined) expectName(options.name);
    return new MeasuredCall(options.name, this.#clock, this.#callDuration, this.#callActive);
  }

  /** Unsubscribes and stops the gauge before it returns (nothing here is asynchronous). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#subscriptions) s.dispose();
    this.#subscriptions.clear();
    this.#breakers.clear();
    this.#breakerState.removeCallback(this.#observeBreakers);
    this.#learnedRate.removeCallback(this.#observeLearned);
    this.#learned.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #subscribe(source: EventSource, out: Disposable[], breakers: Breaker[]): void {
    const events = eventsOf(source);
    const sourceName = nameOf(source);
    // A breaker's state is tracked for the gauge: from onStateChange, else from the single-state events.
    let breaker: Breaker | undefined;
    if (events.some((e) => e === 'onStateChange' || e === 'onBreak' || e === 'onReset' || e === 'onHalfOpen')) {
      breaker = { name: sourceName, source, state: normalizeState((source as { state?: unknown }).state), derived: !events.includes('onStateChange') };
      breakers.push(breaker);
    }
    for (const event of events) {
      const handle = this.#handlers[event] as Handler<EventName>;
      const subscribe = (source as Record<string, unknown>)[event] as (listener: (payload: unknown) => void) => Disposable;
      out.push(
        subscribe.call(source, (payload: unknown) => {
          const p = (typeof payload === 'object' && payload !== null ? payload : {}) as EventPayloads[EventName];
          const name = stringField(p, 'name') ?? sourceName;
          // A literal key: V8 builds this object from a template, a computed key goes through the runtime.
          handle(p, name === undefined ? {} : { 'bulwark.policy.name': name }, breaker);
        }),
      );
    }
  }

  #makeHandlers(): { readonly [K in EventName]: Handler<K> } {
    const withKey = (attributes: Attributes, key: unknown): Attributes => {
      if (this.#keyAttribute && (typeof key === 'string' || typeof key === 'number')) attributes['bulwark.key'] = String(key);
      return attributes;
    };
    const withError = (attributes: Attributes, error: unknown): Attributes => {
      attributes['error.type'] = errorType(error);
      return attributes;
    };
    const transition = (breaker: Breaker | undefined, a: Attributes, from: string | undefined, to: string): void => {
      this.#breakerTransitions.add({ ...a, 'bulwark.breaker.from': from ?? 'unknown', 'bulwark.breaker.to': to });
      if (breaker !== undefined) breaker.state = to;
    };
    /** onBreak, onReset, onHalfOpen: a transition of their own only for a breaker without onStateChange. */
    const single = (to: string) => (_p: unknown, a: Attributes, breaker: Breaker | undefined): void => {
      if (breaker?.derived === true) transition(breaker, a, breaker.state, to);
    };
    const lookup = (a: Attributes, result: string, key: string, tier?: string): void => {
      a['bulwark.cache.result'] = result;
      if (tier !== undefined) a['bulwark.cache.tier'] = tier;
      this.#cacheLookups.add(withKey(a, key));
    };
    const secret = (a: Attributes, name: unknown): Attributes => {
      if (typeof name === 'string') a['bulwark.secret.name'] = name;
      return a;
    };
    const alert = (state: 'firing' | 'resolved') => (p: EventPayloads['onAlert'], a: Attributes): void => {
      const severity = stringField(p, 'severity');
      if (severity !== undefined) a['bulwark.slo.severity'] = severity;
      a['bulwark.slo.state'] = state;
      this.#burnRateAlerts.add(a);
    };
    return {
      // core
      onTimeout: (_p, a) => this.#timeouts.add(a),
      onRejected: (p, a) => {
        a['bulwark.rejection.reason'] = normalizeState(p.reason) ?? 'unknown';
        const retryAfterMs = numberField(p, 'retryAfterMs');
        if (retryAfterMs !== undefined) this.#rejectionRetryAfter.record(retryAfterMs / 1000, a);
        this.#rejections.add(this.#keyAttribute ? withKey({ ...a }, p.key) : a);
      },
      onFallback: (p, a) => this.#fallbacks.add(withError(a, p.error)),
      onChaos: (p, a) => {
        const kind = stringField(p, 'kind');
        if (kind !== undefined) a['bulwark.chaos.kind'] = kind;
        this.#chaos.add(a);
      },
      // retry
      onRetry: (p, a) => {
        const delay: Attributes = { ...a };
        this.#retries.add(withError(a, p.error));
        const delayMs = numberField(p, 'delayMs');
        if (delayMs !== undefined) this.#retryDelay.record(delayMs / 1000, delay);
      },
      onSuccess: (p, a) => {
        const attempts = numberField(p, 'attempts');
        if (attempts !== undefined) this.#retryAttempts.record(attempts, { ...a, 'bulwark.call.outcome': 'success' });
      },
      onGiveUp: (p, a) => {
        const attempts = numberField(p, 'attempts');
        if (attempts !== undefined) this.#retryAttempts.record(attempts, { ...a, 'bulwark.call.outcome': 'gave_up' });
      },
      onHedge: (_p, a) => this.#retryHedges.add(a),
      // breaker
      onStateChange: (p, a, breaker) => {
        const to = normalizeState(p.to);
        if (to !== undefined) transition(breaker, a, normalizeState(p.from) ?? breaker?.state, to);
      },
      onBreak: (p, a, breaker) => {
        single('open')(p, a, breaker);
        this.#breakerOpens.add({ ...a, 'bulwark.breaker.reason': stringField(p, 'reason') ?? 'unknown' });
      },
      onReset: single('closed'),
      onHalfOpen: single('half_open'),
      onBreakerCreated: (_p, a) => this.#registryBreakers.add(a, 1),
      onBreakerDropped: (p, a) => {
        this.#registryBreakers.add(a, -1);
        this.#registryDrops.add({ ...a, 'bulwark.breaker.state': normalizeState(p.state) ?? 'unknown' });
      },
      // shared stores
      onStoreError: (p, a) => {
        const operation = stringField(p, 'operation');
        if (operation !== undefined) a['bulwark.store.operation'] = operation;
        this.#storeErrors.add(withError(a, p.error));
      },
      // ratelimit
      onServerHint: (p, a) => this.#serverHints.add(withKey(a, p.key)),
      onLimitChange: (p, a) => {
        const key = stringField(p, 'key') ?? '';
        const series = withKey({ ...a }, key);
        const id = JSON.stringify(series);
        const rate = numberField(p, 'ratePerSecond');
        let entry = this.#learned.get(id);
        if (rate !== undefined) {
          if (entry === undefined) {
            // As many series as the metric may hold: past it, the oldest (one with nothing learned first) goes.
            if (this.#learned.size >= this.#learnedCap) {
              let drop = this.#learned.keys().next().value!;
              for (const [k, e] of this.#learned) {
                if (e.rates.size === 0) {
                  drop = k;
                  break;
                }
              }
              this.#learned.delete(drop);
            }
            this.#learned.set(id, (entry = { attributes: series, rates: new Map() }));
          }
          entry.rates.delete(key);
          // A limiter's keys may be many: keep the latest few thousand per series.
          if (entry.rates.size >= LEARNED_KEYS_PER_SERIES) entry.rates.delete(entry.rates.keys().next().value!);
          entry.rates.set(key, rate);
        } else {
          entry?.rates.delete(key);
        }
        this.#limitChanges.add({ ...a, 'bulwark.ratelimit.change_reason': stringField(p, 'reason') ?? 'unknown' });
      },
      // cache
      onHit: (p, a) => lookup(a, 'hit', p.key, stringField(p, 'tier')),
      onMiss: (p, a) => lookup(a, 'miss', p.key),
      onStale: (p, a) => lookup(a, 'stale', p.key),
      onRefresh: (p, a) => this.#cacheRefreshes.add(withKey(a, p.key)),
      onLoaderError: (p, a) => this.#cacheLoaderErrors.add(withError(withKey(a, p.key), p.error)),
      onEvict: (p, a) => {
        const reason = stringField(p, 'reason');
        if (reason !== undefined) a['bulwark.cache.evict_reason'] = reason;
        this.#cacheEvictions.add(withKey(a, p.key));
      },
      // secrets
      onRotated: (p, a) => this.#secretRotations.add(secret(a, p.secretName)),
      onAudit: (p, a) => {
        const action = stringField(p, 'action');
        if (action !== undefined) a['bulwark.secret.action'] = action;
        this.#secretAccesses.add(secret(a, p.secretName));
      },
      onRefreshFailed: (p, a) => this.#secretRefreshFailures.add(withError(secret(a, p.secretName), p.error)),
      onChange: (p, a) => this.#secretChanges.add(secret(a, p.secretName)),
      // telemetry
      onAnomaly: (p, a) => {
        const direction = stringField(p, 'direction');
        if (direction !== undefined) a['bulwark.anomaly.direction'] = direction;
        this.#anomalies.add(a);
      },
      onAlert: alert('firing'),
      onResolve: alert('resolved'),
      // http
      onResponse: (p, a) => {
        a['http.request.method'] = httpMethod(p.method);
        const status = numberField(p, 'status');
        if (status !== undefined) a['http.response.status_code'] = status;
        const durationMs = numberField(p, 'durationMs');
        if (durationMs !== undefined) this.#httpResponses.record(durationMs / 1000, a);
      },
      onAuthRefresh: (p, a) => {
        a['bulwark.http.refreshed'] = p.refreshed === true;
        this.#httpAuthRefreshes.add(a);
      },
    };
  }
}

class MeasuredCall implements MeasuredPolicy {
  readonly name: string | undefined;
  readonly #clock: Clock;
  readonly #duration: LimitedHistogram;
  readonly #active: LimitedCounter;
  readonly #base: Attributes;

  constructor(name: string | undefined, clock: Clock, duration: LimitedHistogram, active: LimitedCounter) {
    this.name = name;
    this.#clock = clock;
    this.#duration = duration;
    this.#active = active;
    this.#base = name === undefined ? {} : { [POLICY]: name };
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    expectFunction('fn', fn);
    const call = new CallContext(signal);
    const started = this.#clock.monotonic();
    this.#active.add(this.#base, 1);
    try {
      const value = await fn(call);
      this.#record(started, { ...this.#base, 'bulwark.call.outcome': 'success' });
      return value;
    } catch (error) {
      this.#record(started, {
        ...this.#base,
        'bulwark.call.outcome': call.aborted ? 'aborted' : 'failure',
        'error.type': errorType(error),
      });
      throw error;
    } finally {
      this.#active.add(this.#base, -1);
      call.release();
    }
  }

  executeResult<T>(fn: PolicyFunction<T>, signal?: AbortSource): ResultAsync<T, BulwarkError> {
    return toResult(this.execute(fn, signal));
  }

  #record(started: number, attributes: Attributes): void {
    this.#duration.record(Math.max(0, this.#clock.monotonic() - started) / 1000, attributes);
  }
}

const MEASURE_OPTIONS = knownOptions<MeasureOptions>('measure()', { name: [] });

const POLICY_METRICS_OPTIONS = knownOptions<PolicyMetricsOptions>('policyMetrics()', {
  cardinalityLimit: [],
  keyAttribute: [],
  durationBucketsSeconds: [],
  clock: [],
});

/**
 * Creates the OpenTelemetry instruments for Bulwark's events on `meter`, once; then
 * {@link PolicyMetrics.instrument} subscribes any number of policies, caches and secret stores to
 * them, and {@link PolicyMetrics.measure} gives a policy that times calls.
 *
 * Sources are known by their events alone: any object with events of core's `EVENT_CATALOG` works,
 * so this package depends on no other Bulwark feature package. Every event of the catalog is
 * recorded; each payload's `name` becomes `bulwark.policy.name`. Every metric is capped at
 * `cardinalityLimit` series.
 *
 * @example
 * ```ts
 * import type { MeterProvider } from '@opentelemetry/api';
 * import { circuitBreaker } from '@bulwark/breaker';
 * import { pipeline } from '@bulwark/core';
 * import { rateLimiter } from '@bulwark/ratelimit';
 * import { retry } from '@bulwark/retry';
 * declare const meterProvider: MeterProvider;
 * const retryPolicy = retry({ name: 'upstream' });
 * const breaker = circuitBreaker({ name: 'upstream' });
 * const limiter = rateLimiter({ name: 'upstream', limits: { limit: 100, windowMs: 1_000 } });
 * const metrics = policyMetrics(meterProvider.getMeter('gateway'));
 * metrics.instrument(retryPolicy, breaker, limiter); // caches and secret managers too
 * const guarded = pipeline(metrics.measure({ name: 'upstream' }), retryPolicy, breaker);
 * ```
 */
export function policyMetrics(meter: Meter, options: PolicyMetricsOptions = {}): PolicyMetrics {
  if (typeof meter !== 'object' || meter === null || typeof (meter as Meter).createCounter !== 'function') {
    throw invalidOption('meter', meter, 'an OpenTelemetry Meter (meterProvider.getMeter(name))');
  }
  expectOptions('options', options, POLICY_METRICS_OPTIONS);
  if (options.cardinalityLimit !== undefined) expectInteger('cardinalityLimit', options.cardinalityLimit, { min: 2 });
  if (options.keyAttribute !== undefined) expectBoolean('keyAttribute', options.keyAttribute);
  expectClock('clock', options.clock);
  if (options.durationBucketsSeconds !== undefined) {
    const b = options.durationBucketsSeconds;
    if (!Array.isArray(b) || b.length === 0) throw invalidOption('durationBucketsSeconds', b, 'a non-empty array of ascending numbers');
    b.forEach((v: unknown, i: number) => {
      expectNumber(`durationBucketsSeconds[${i}]`, v, { min: 0 });
      if (i > 0 && (v as number) <= b[i - 1]!) throw invalidOption(`durationBucketsSeconds[${i}]`, v, `a number above ${b[i - 1]}`);
    });
  }
  return new PolicyMetricsImpl(meter, options);
}
