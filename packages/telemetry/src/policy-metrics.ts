import {
  CallContext,
  expectBoolean,
  expectClock,
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
  type Disposable,
  type Policy,
  type PolicyFunction,
} from '@bulwark/core';
import type { Attributes, Counter, Histogram, Meter, ObservableResult, UpDownCounter } from '@opentelemetry/api';
import type { ResultAsync } from 'neverthrow';
import { AttributeLimiter } from './internal/attribute-limiter.js';
import { errorType } from './internal/error-type.js';
import { eventOf, nameOf, normalizeState, numberField, stringField, type EventSource } from './internal/source.js';

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
   * Add the rate-limit or cache `key` of an event as the `bulwark.key` attribute. Keys are often
   * per user or per item: leave this off unless they are few, and rely on the cap when they are not.
   * @default false
   */
  readonly keyAttribute?: boolean;
  /** Bucket boundaries of `bulwark.call.duration`, in seconds, ascending. @default {@link DURATION_BUCKETS_SECONDS} */
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
   * Subscribes to every Bulwark event that each source has (duck-typed by its `onXxx` names) and
   * records them. Returns a handle that unsubscribes them all.
   * @throws TypeError when a source has none of the events this package knows.
   */
  instrument(...sources: readonly EventSource[]): Disposable;
  /** A policy to put in a pipeline (outermost, usually) that records call count, outcome and duration. */
  measure(options?: MeasureOptions): MeasuredPolicy;
  /** Calls recorded under `otel.metric.overflow=true` so far, per metric name. */
  readonly overflows: ReadonlyMap<string, number>;
  /** Unsubscribes every source instrumented through this object and stops reporting breaker states. */
  dispose(): void;
}

/** The events {@link PolicyMetrics.instrument} recognises, by their canonical names. */
export const KNOWN_EVENTS: readonly string[] = Object.freeze([
  'onRetry', 'onGiveUp', 'onSuccess',
  'onBreak', 'onReset', 'onHalfOpen', 'onStateChange', 'onCallRejected', 'onSharedStateError',
  'onRateLimited', 'onServerHint', 'onStoreFallback',
  'onHit', 'onMiss', 'onStale', 'onRefresh', 'onLoaderError', 'onL2Error', 'onEvict',
  'onRotated', 'onAudit', 'onRefreshFailed',
  'onTimeout', 'onRejected', 'onFallback', 'onChaos',
]);

const BREAKER_STATES = ['closed', 'open', 'half_open'];

type Payload = Record<string, unknown>;

interface Breaker {
  readonly name: string | undefined;
  readonly source: EventSource;
  state: string | undefined;
}

class LimitedCounter {
  readonly #counter: Counter;
  readonly #limiter: AttributeLimiter;
  constructor(meter: Meter, name: string, unit: string, description: string, limit: number, registry: Map<string, AttributeLimiter>) {
    this.#counter = meter.createCounter(name, { unit, description });
    this.#limiter = new AttributeLimiter(limit);
    registry.set(name, this.#limiter);
  }
  add(attributes: Attributes, value = 1): void {
    this.#counter.add(value, this.#limiter.limit(attributes));
  }
}

class LimitedHistogram {
  readonly #histogram: Histogram;
  readonly #limiter: AttributeLimiter;
  constructor(meter: Meter, name: string, unit: string, description: string, buckets: readonly number[], limit: number, registry: Map<string, AttributeLimiter>) {
    this.#histogram = meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: [...buckets] } });
    this.#limiter = new AttributeLimiter(limit);
    registry.set(name, this.#limiter);
  }
  record(value: number, attributes: Attributes): void {
    this.#histogram.record(value, this.#limiter.limit(attributes));
  }
}

const POLICY = 'bulwark.policy.name';

class PolicyMetricsImpl implements PolicyMetrics {
  readonly #clock: Clock;
  readonly #keyAttribute: boolean;
  readonly #limiters = new Map<string, AttributeLimiter>();
  readonly #subscriptions = new Set<Disposable>();
  readonly #breakers = new Set<Breaker>();
  readonly #stateLimiter: AttributeLimiter;
  #disposed = false;

  readonly #callDuration: LimitedHistogram;
  readonly #callActive: UpDownCounter;
  readonly #retryAttempts: LimitedHistogram;
  readonly #retries: LimitedCounter;
  readonly #retryDelay: LimitedHistogram;
  readonly #breakerTransitions: LimitedCounter;
  readonly #breakerRejections: LimitedCounter;
  readonly #breakerSharedStateErrors: LimitedCounter;
  readonly #rateLimited: LimitedCounter;
  readonly #rateLimitWait: LimitedHistogram;
  readonly #serverHints: LimitedCounter;
  readonly #storeFallbacks: LimitedCounter;
  readonly #cacheLookups: LimitedCounter;
  readonly #cacheRefreshes: LimitedCounter;
  readonly #cacheLoaderErrors: LimitedCounter;
  readonly #cacheL2Errors: LimitedCounter;
  readonly #cacheEvictions: LimitedCounter;
  readonly #secretRotations: LimitedCounter;
  readonly #secretAccesses: LimitedCounter;
  readonly #secretRefreshFailures: LimitedCounter;
  readonly #timeouts: LimitedCounter;
  readonly #bulkheadRejections: LimitedCounter;
  readonly #fallbacks: LimitedCounter;
  readonly #chaos: LimitedCounter;
  readonly #observeBreakers = (result: ObservableResult): void => {
    for (const breaker of this.#breakers) {
      const live = normalizeState((breaker.source as { state?: unknown }).state);
      const current = live ?? breaker.state;
      if (current === undefined) continue;
      const states = BREAKER_STATES.includes(current) ? BREAKER_STATES : [...BREAKER_STATES, current];
      for (const state of states) {
        const attributes: Attributes = { 'bulwark.breaker.state': state };
        if (breaker.name !== undefined) attributes[POLICY] = breaker.name;
        result.observe(state === current ? 1 : 0, this.#stateLimiter.limit(attributes));
      }
    }
  };
  readonly #breakerState;

  constructor(meter: Meter, options: PolicyMetricsOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#keyAttribute = options.keyAttribute ?? false;
    const limit = options.cardinalityLimit ?? 2000;
    const reg = this.#limiters;
    const counter = (name: string, unit: string, description: string): LimitedCounter =>
      new LimitedCounter(meter, name, unit, description, limit, reg);
    const histogram = (name: string, unit: string, description: string, buckets: readonly number[]): LimitedHistogram =>
      new LimitedHistogram(meter, name, unit, description, buckets, limit, reg);

    this.#callDuration = histogram('bulwark.call.duration', 's', 'Duration of calls through a measured policy, by outcome.', options.durationBucketsSeconds ?? DURATION_BUCKETS_SECONDS);
    this.#callActive = meter.createUpDownCounter('bulwark.call.active', { unit: '{call}', description: 'Calls in progress through a measured policy.' });
    this.#retryAttempts = histogram('bulwark.retry.attempts', '{attempt}', 'Attempts made per call by a retry policy, by outcome (success or gave_up).', ATTEMPT_BUCKETS);
    this.#retries = counter('bulwark.retry.retries', '{retry}', 'Retries scheduled by a retry policy, by the error that caused them.');
    this.#retryDelay = histogram('bulwark.retry.delay', 's', 'Backoff delay before each retry.', WAIT_BUCKETS_SECONDS);
    this.#breakerTransitions = counter('bulwark.breaker.transitions', '{transition}', 'Circuit breaker state changes, by from and to state.');
    this.#breakerRejections = counter('bulwark.breaker.rejections', '{call}', 'Calls rejected by a circuit breaker without running, by breaker state.');
    this.#breakerSharedStateErrors = counter('bulwark.breaker.shared_state_errors', '{error}', 'Failures of a circuit breaker\'s shared state store; the breaker decided locally.');
    this.#rateLimited = counter('bulwark.ratelimit.limited', '{call}', 'Calls held back by a rate limiter, by decision (wait or reject).');
    this.#rateLimitWait = histogram('bulwark.ratelimit.wait', 's', 'How long a rate limiter made (or told) the caller wait.', WAIT_BUCKETS_SECONDS);
    this.#serverHints = counter('bulwark.ratelimit.server_hints', '{hint}', 'Rate-limit hints (Retry-After, RateLimit headers) received from servers.');
    this.#storeFallbacks = counter('bulwark.ratelimit.store_fallbacks', '{fallback}', 'Times a rate limiter fell back from its shared store to local limits.');
    this.#cacheLookups = counter('bulwark.cache.lookups', '{lookup}', 'Cache lookups, by result (hit, miss or stale) and tier.');
    this.#cacheRefreshes = counter('bulwark.cache.refreshes', '{refresh}', 'Background refreshes of cache entries.');
    this.#cacheLoaderErrors = counter('bulwark.cache.loader_errors', '{error}', 'Failures of the loader a cache called to fill an entry.');
    this.#cacheL2Errors = counter('bulwark.cache.l2_errors', '{error}', 'Failures of the second-tier (shared) cache store.');
    this.#cacheEvictions = counter('bulwark.cache.evictions', '{eviction}', 'Entries evicted from a cache.');
    this.#secretRotations = counter('bulwark.secret.rotations', '{rotation}', 'Secret rotations observed, by secret name.');
    this.#secretAccesses = counter('bulwark.secret.accesses', '{access}', 'Audited secret operations, by action and secret name.');
    this.#secretRefreshFailures = counter('bulwark.secret.refresh_failures', '{failure}', 'Failed attempts to refresh a secret from its store.');
    this.#timeouts = counter('bulwark.timeout.expirations', '{timeout}', 'Calls cut short by a timeout policy.');
    this.#bulkheadRejections = counter('bulwark.bulkhead.rejections', '{call}', 'Calls rejected by a full bulkhead.');
    this.#fallbacks = counter('bulwark.fallback.activations', '{call}', 'Failed calls answered by a fallback, by the error they failed with.');
    this.#chaos = counter('bulwark.chaos.injections', '{injection}', 'Faults and latency injected by a chaos policy, by kind.');
    this.#breakerState = meter.createObservableGauge('bulwark.breaker.state', {
      unit: '{state}',
      description: 'Circuit breaker state: 1 for the current state of each breaker, 0 for the others.',
    });
    this.#stateLimiter = new AttributeLimiter(limit);
    reg.set('bulwark.breaker.state', this.#stateLimiter);
    this.#breakerState.addCallback(this.#observeBreakers);
  }

  get overflows(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [name, limiter] of this.#limiters) if (limiter.overflowed > 0) out.set(name, limiter.overflowed);
    return out;
  }

  instrument(...sources: readonly EventSource[]): Disposable {
    if (this.#disposed) throw new TypeError('This PolicyMetrics was disposed; create a new one with policyMetrics().');
    sources.forEach((source, i) => {
      if (typeof source !== 'object' || source === null || !KNOWN_EVENTS.some((e) => eventOf(source, e) !== undefined)) {
        throw invalidOption(`sources[${i}]`, source, `an object with at least one Bulwark event (${KNOWN_EVENTS.join(', ')})`);
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
    expectOptions('options', options);
    if (options.name !== undefined && typeof options.name !== 'string') throw invalidOption('name', options.name, 'a string');
    return new MeasuredCall(options.name, this.#clock, this.#callDuration, this.#callActive);
  }

  dispose(): void {
    this.#disposed = true;
    for (const s of this.#subscriptions) s.dispose();
    this.#subscriptions.clear();
    this.#breakers.clear();
    this.#breakerState.removeCallback(this.#observeBreakers);
  }

  #subscribe(source: EventSource, out: Disposable[], breakers: Breaker[]): void {
    const sourceName = nameOf(source);
    const on = (event: string, handler: (payload: Payload, base: Attributes) => void, policyNameFromPayload = true): void => {
      const subscribe = eventOf(source, event);
      if (subscribe === undefined) return;
      out.push(
        subscribe.call(source, (payload: Payload) => {
          const p = typeof payload === 'object' && payload !== null ? payload : {};
          const name = (policyNameFromPayload ? stringField(p, 'name') : undefined) ?? sourceName;
          handler(p, name === undefined ? {} : { [POLICY]: name });
        }),
      );
    };
    const withKey = (attributes: Attributes, payload: Payload): Attributes => {
      if (this.#keyAttribute) {
        const key = payload.key;
        if (typeof key === 'string' || typeof key === 'number') attributes['bulwark.key'] = String(key);
      }
      return attributes;
    };
    const withError = (attributes: Attributes, payload: Payload): Attributes => {
      attributes['error.type'] = errorType(payload.error);
      return attributes;
    };

    // retry
    on('onRetry', (p, a) => {
      this.#retries.add(withError(a, p));
      const delayMs = numberField(p, 'delayMs');
      if (delayMs !== undefined) {
        const d: Attributes = {};
        if (a[POLICY] !== undefined) d[POLICY] = a[POLICY];
        this.#retryDelay.record(delayMs / 1000, d);
      }
    });
    on('onSuccess', (p, a) => {
      const attempts = numberField(p, 'attempts');
      if (attempts !== undefined) this.#retryAttempts.record(attempts, { ...a, 'bulwark.call.outcome': 'success' });
    });
    on('onGiveUp', (p, a) => {
      const attempts = numberField(p, 'attempts');
      if (attempts !== undefined) this.#retryAttempts.record(attempts, { ...a, 'bulwark.call.outcome': 'gave_up' });
    });

    // breaker
    const isBreaker = ['onStateChange', 'onBreak', 'onReset', 'onHalfOpen', 'onCallRejected'].some((e) => eventOf(source, e) !== undefined);
    if (isBreaker) {
      const breaker: Breaker = { name: sourceName, source, state: normalizeState((source as { state?: unknown }).state) };
      breakers.push(breaker);
      const transition = (a: Attributes, from: string | undefined, to: string): void => {
        this.#breakerTransitions.add({ ...a, 'bulwark.breaker.from': from ?? 'unknown', 'bulwark.breaker.to': to });
        breaker.state = to;
      };
      if (eventOf(source, 'onStateChange') !== undefined) {
        on('onStateChange', (p, a) => {
          const to = normalizeState(p.to);
          if (to !== undefined) transition(a, normalizeState(p.from) ?? breaker.state, to);
        });
      } else {
        // Without onStateChange, derive transitions from the three single-state events.
        on('onBreak', (_p, a) => transition(a, breaker.state, 'open'));
        on('onReset', (_p, a) => transition(a, breaker.state, 'closed'));
        on('onHalfOpen', (_p, a) => transition(a, breaker.state, 'half_open'));
      }
      on('onCallRejected', (p, a) => {
        this.#breakerRejections.add({ ...a, 'bulwark.breaker.state': normalizeState(p.state) ?? breaker.state ?? 'open' });
      });
      on('onSharedStateError', (p, a) => this.#breakerSharedStateErrors.add(withError(a, p)));
    }

    // ratelimit
    on('onRateLimited', (p, a) => {
      a['bulwark.ratelimit.decision'] = p.waited === true || p.decision === 'wait' || p.action === 'wait' ? 'wait' : 'reject';
      const waitMs = numberField(p, 'waitMs') ?? numberField(p, 'retryAfterMs');
      if (waitMs !== undefined) this.#rateLimitWait.record(waitMs / 1000, a);
      this.#rateLimited.add(this.#keyAttribute ? withKey({ ...a }, p) : a);
    });
    on('onServerHint', (p, a) => this.#serverHints.add(withKey(a, p)));
    on('onStoreFallback', (p, a) => this.#storeFallbacks.add(withError(a, p)));

    // cache
    const lookup = (result: string) => (p: Payload, a: Attributes): void => {
      a['bulwark.cache.result'] = result;
      const tier = stringField(p, 'tier');
      if (tier !== undefined) a['bulwark.cache.tier'] = tier;
      this.#cacheLookups.add(withKey(a, p));
    };
    on('onHit', lookup('hit'));
    on('onMiss', lookup('miss'));
    on('onStale', lookup('stale'));
    on('onRefresh', (p, a) => this.#cacheRefreshes.add(withKey(a, p)));
    on('onLoaderError', (p, a) => this.#cacheLoaderErrors.add(withError(withKey(a, p), p)));
    on('onL2Error', (p, a) => this.#cacheL2Errors.add(withError(a, p)));
    on('onEvict', (p, a) => this.#cacheEvictions.add(withKey(a, p)));

    // secrets: the payload's `name` is the secret's, not the store's.
    const secret = (a: Attributes, p: Payload): Attributes => {
      const name = stringField(p, 'name');
      if (name !== undefined) a['bulwark.secret.name'] = name;
      return a;
    };
    on('onRotated', (p, a) => this.#secretRotations.add(secret(a, p)), false);
    on('onAudit', (p, a) => {
      const action = stringField(p, 'action');
      if (action !== undefined) a['bulwark.secret.action'] = action;
      this.#secretAccesses.add(secret(a, p));
    }, false);
    on('onRefreshFailed', (p, a) => this.#secretRefreshFailures.add(withError(secret(a, p), p)), false);

    // core
    on('onTimeout', (_p, a) => this.#timeouts.add(a));
    on('onRejected', (_p, a) => this.#bulkheadRejections.add(a));
    on('onFallback', (p, a) => this.#fallbacks.add(withError(a, p)));
    on('onChaos', (p, a) => {
      const kind = stringField(p, 'kind');
      if (kind !== undefined) a['bulwark.chaos.kind'] = kind;
      this.#chaos.add(a);
    });
  }
}

class MeasuredCall implements MeasuredPolicy {
  readonly name: string | undefined;
  readonly #clock: Clock;
  readonly #duration: LimitedHistogram;
  readonly #active: UpDownCounter;
  readonly #base: Attributes;

  constructor(name: string | undefined, clock: Clock, duration: LimitedHistogram, active: UpDownCounter) {
    this.name = name;
    this.#clock = clock;
    this.#duration = duration;
    this.#active = active;
    this.#base = name === undefined ? {} : { [POLICY]: name };
  }

  async execute<T>(fn: PolicyFunction<T>, signal?: AbortSource): Promise<T> {
    const call = new CallContext(signal);
    const started = this.#clock.monotonic();
    this.#active.add(1, this.#base);
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
      this.#active.add(-1, this.#base);
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
 * Sources are duck-typed: any object with the canonical `onXxx` events (see {@link KNOWN_EVENTS})
 * works, so this package depends on no other Bulwark feature package. Every metric is capped at
 * `cardinalityLimit` series.
 *
 * @example
 * ```ts
 * const metrics = policyMetrics(meterProvider.getMeter('gateway'));
 * metrics.instrument(retryPolicy, breaker, limiter, cache, secrets);
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
