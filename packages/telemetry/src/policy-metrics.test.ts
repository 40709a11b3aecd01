import { bulkhead, chaos, createFakeClock, fallback, pipeline, StoreUnavailableError, timeout, TimeoutError } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fakeBreaker, fakeCache, fakeHttpClient, fakeRateLimiter, fakeRetry, fakeSecrets } from '@bulwark/test-utils';
import { AggregationTemporality, AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { meterWithReader, TestPullReader } from '../test/pull-reader.js';
import { instrumentPolicies, isPolicyMetricsClosedError, policyMetrics, usageTracker } from './index.js';

type Point = { attributes: Record<string, unknown>; value: unknown };

async function points(reader: TestPullReader, name: string): Promise<Point[]> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) if (metric.descriptor.name === name) return metric.dataPoints as Point[];
  }
  return [];
}

async function sum(reader: TestPullReader, name: string, where: Record<string, unknown> = {}): Promise<number> {
  let total = 0;
  for (const p of await points(reader, name)) {
    if (Object.entries(where).every(([k, v]) => p.attributes[k] === v)) {
      total += typeof p.value === 'number' ? p.value : (p.value as { count: number }).count;
    }
  }
  return total;
}

describe('policyMetrics', () => {
  test('retry events become retries, delay and attempts-per-call metrics', async () => {
    const { reader, meter } = meterWithReader();
    const retry = fakeRetry('payments');
    instrumentPolicies(meter, retry);
    retry.retry.emit({ attempt: 1, delayMs: 200, error: new TimeoutError(1000) });
    retry.retry.emit({ attempt: 2, delayMs: 400, error: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
    retry.success.emit({ attempts: 3 });
    retry.giveUp.emit({ attempts: 5, error: new Error('x'), reason: 'max-attempts' });

    expect(await sum(reader, 'bulwark.retry.retries', { 'bulwark.policy.name': 'payments', 'error.type': 'TIMEOUT' })).toBe(1);
    expect(await sum(reader, 'bulwark.retry.retries', { 'error.type': 'ECONNRESET' })).toBe(1);
    const delay = (await points(reader, 'bulwark.retry.delay'))[0]!.value as { sum: number; count: number };
    expect(delay.count).toBe(2);
    expect(delay.sum).toBeCloseTo(0.6);
    const attempts = await points(reader, 'bulwark.retry.attempts');
    expect(attempts.map((p) => [p.attributes['bulwark.call.outcome'], (p.value as { sum: number }).sum]).sort()).toEqual([
      ['gave_up', 5],
      ['success', 3],
    ]);
  });

  test('breaker state is a gauge of 1 for the current state; transitions, openings and rejections are counted', async () => {
    const { reader, meter } = meterWithReader();
    const breaker = fakeBreaker('geo');
    instrumentPolicies(meter, breaker);
    const state = async () =>
      Object.fromEntries((await points(reader, 'bulwark.breaker.state')).map((p) => [p.attributes['bulwark.breaker.state'], p.value]));
    expect(await state()).toEqual({ closed: 1, open: 0, half_open: 0 });
    breaker.moveTo('open');
    breaker.reject(5000);
    breaker.reject(4000);
    expect(await state()).toEqual({ closed: 0, open: 1, half_open: 0 });
    breaker.moveTo('half-open');
    expect(await state()).toEqual({ closed: 0, open: 0, half_open: 1 });
    expect(await sum(reader, 'bulwark.breaker.transitions', { 'bulwark.breaker.from': 'closed', 'bulwark.breaker.to': 'open' })).toBe(1);
    expect(await sum(reader, 'bulwark.breaker.transitions')).toBe(2);
    expect(await sum(reader, 'bulwark.rejections', { 'bulwark.rejection.reason': 'open', 'bulwark.policy.name': 'geo' })).toBe(2);
    expect(await sum(reader, 'bulwark.breaker.opens', { 'bulwark.breaker.reason': 'consecutive-failures', 'bulwark.policy.name': 'geo' })).toBe(1);
    breaker.storeFailed(new StoreUnavailableError('redisCircuitStore', 'sync', 'the Redis client is not connected'));
    expect(
      await sum(reader, 'bulwark.store.errors', { 'error.type': 'STORE_UNAVAILABLE', 'bulwark.store.operation': 'sync', 'bulwark.policy.name': 'geo' }),
    ).toBe(1);
  });

  test('a breaker with only onBreak/onReset/onHalfOpen and no state property is tracked from its events', async () => {
    const { reader, meter } = meterWithReader();
    const full = fakeBreaker('legacy');
    const legacy = { name: 'legacy', onBreak: full.onBreak, onReset: full.onReset, onHalfOpen: full.onHalfOpen };
    instrumentPolicies(meter, legacy);
    expect(await points(reader, 'bulwark.breaker.state')).toEqual([]); // unknown until an event says
    full.moveTo('open');
    full.moveTo('half-open');
    full.moveTo('closed');
    const state = await points(reader, 'bulwark.breaker.state');
    expect(state.find((p) => p.value === 1)?.attributes['bulwark.breaker.state']).toBe('closed');
    expect(await sum(reader, 'bulwark.breaker.transitions', { 'bulwark.breaker.from': 'unknown', 'bulwark.breaker.to': 'open' })).toBe(1);
    expect(await sum(reader, 'bulwark.breaker.transitions', { 'bulwark.breaker.from': 'half_open', 'bulwark.breaker.to': 'closed' })).toBe(1);
  });

  test('rate-limit rejections by reason with the wait told, server hints and store errors', async () => {
    const { reader, meter } = meterWithReader();
    const limiter = fakeRateLimiter();
    instrumentPolicies(meter, limiter);
    limiter.rejected.emit({ key: 'user-1', retryAfterMs: 1500, reason: 'denied' });
    limiter.rejected.emit({ key: 'user-1', retryAfterMs: 500, reason: 'queue-full' });
    limiter.hint.emit({ key: 'user-1', status: 429, holdMs: 1_000 });
    limiter.storeError.emit({ operation: 'decide', error: new StoreUnavailableError('redisRateLimitStore', 'decide', 'ECONNREFUSED') });
    expect(await sum(reader, 'bulwark.rejections', { 'bulwark.rejection.reason': 'denied' })).toBe(1);
    expect(await sum(reader, 'bulwark.rejections', { 'bulwark.rejection.reason': 'queue_full' })).toBe(1);
    const wait = await points(reader, 'bulwark.rejection.retry_after');
    expect(wait.reduce((s, p) => s + (p.value as { sum: number }).sum, 0)).toBeCloseTo(2);
    expect(await sum(reader, 'bulwark.ratelimit.server_hints')).toBe(1);
    expect(await sum(reader, 'bulwark.store.errors', { 'error.type': 'STORE_UNAVAILABLE', 'bulwark.store.operation': 'decide' })).toBe(1);
    // Keys are off by default: one series however many keys.
    expect((await points(reader, 'bulwark.rejections')).every((p) => !('bulwark.key' in p.attributes))).toBe(true);
  });

  test("a rate limiter's learned rate: changes by reason, and a gauge of the rate in force (the lowest over keys, or per key)", async () => {
    const { reader, meter } = meterWithReader();
    const limiter = fakeRateLimiter('upstream');
    instrumentPolicies(meter, limiter);
    limiter.limitChange.emit({ key: 'a', ratePerSecond: 5, reason: 'policy' });
    limiter.limitChange.emit({ key: 'b', ratePerSecond: 2, reason: 'refusal' });
    expect(await sum(reader, 'bulwark.ratelimit.limit_changes', { 'bulwark.ratelimit.change_reason': 'policy' })).toBe(1);
    expect((await points(reader, 'bulwark.ratelimit.learned_rate')).map((p) => [p.attributes, p.value])).toEqual([[{ 'bulwark.policy.name': 'upstream' }, 2]]);
    limiter.limitChange.emit({ key: 'b', ratePerSecond: undefined, reason: 'expired' });
    expect((await points(reader, 'bulwark.ratelimit.learned_rate')).map((p) => p.value)).toEqual([5]);
    limiter.limitChange.emit({ key: 'a', ratePerSecond: undefined, reason: 'expired' });
    expect((await points(reader, 'bulwark.ratelimit.learned_rate')).map((p) => p.value)).toEqual([0]);

    const perKey = meterWithReader();
    const keyed = fakeRateLimiter('upstream');
    policyMetrics(perKey.meter, { keyAttribute: true }).instrument(keyed);
    keyed.limitChange.emit({ key: 'a', ratePerSecond: 5, reason: 'policy' });
    keyed.limitChange.emit({ key: 'b', ratePerSecond: 2, reason: 'quota' });
    expect((await points(perKey.reader, 'bulwark.ratelimit.learned_rate')).map((p) => [p.attributes['bulwark.key'], p.value])).toEqual([
      ['a', 5],
      ['b', 2],
    ]);
  });

  test('cache hits, misses and stale answers, refreshes, errors and evictions', async () => {
    const { reader, meter } = meterWithReader();
    const cache = fakeCache('emails');
    instrumentPolicies(meter, cache);
    cache.hit.emit({ key: 'a', tier: 'l1' });
    cache.hit.emit({ key: 'b', tier: 'l2' });
    cache.miss.emit({ key: 'c' });
    cache.stale.emit({ key: 'd', reason: 'loader-error', ageMs: 10 });
    cache.refresh.emit({ key: 'd', reason: 'stale' });
    cache.loaderError.emit({ key: 'd', error: new TypeError('bad'), servedStale: true });
    cache.storeError.emit({ operation: 'read', error: new StoreUnavailableError('redisCacheStore', 'read', 'down') });
    cache.evict.emit({ key: 'a', reason: 'capacity' });
    expect(await sum(reader, 'bulwark.cache.lookups', { 'bulwark.cache.result': 'hit' })).toBe(2);
    expect(await sum(reader, 'bulwark.cache.lookups', { 'bulwark.cache.result': 'hit', 'bulwark.cache.tier': 'l2' })).toBe(1);
    expect(await sum(reader, 'bulwark.cache.lookups', { 'bulwark.cache.result': 'miss' })).toBe(1);
    expect(await sum(reader, 'bulwark.cache.lookups', { 'bulwark.cache.result': 'stale' })).toBe(1);
    expect(await sum(reader, 'bulwark.cache.refreshes')).toBe(1);
    expect(await sum(reader, 'bulwark.cache.loader_errors', { 'error.type': 'TypeError' })).toBe(1);
    expect(await sum(reader, 'bulwark.store.errors', { 'bulwark.policy.name': 'emails', 'bulwark.store.operation': 'read' })).toBe(1);
    expect(await sum(reader, 'bulwark.cache.evictions', { 'bulwark.policy.name': 'emails', 'bulwark.cache.evict_reason': 'capacity' })).toBe(1);
  });

  test('secret rotations, audits and refresh failures carry the secret name, never its value or who', async () => {
    const { reader, meter } = meterWithReader();
    const secrets = fakeSecrets('vault');
    instrumentPolicies(meter, secrets);
    secrets.rotated.emit({ secretName: 'UPSTREAM_API_KEY', version: 'v2', previousVersion: 'v1' });
    secrets.audit.emit({ action: 'read', secretName: 'UPSTREAM_API_KEY', version: 'v2', who: 'alice', at: 0 });
    secrets.refreshFailed.emit({ secretName: 'UPSTREAM_API_KEY', error: new TimeoutError(1_000), version: 'v2', failures: 1 });
    const rotations = await points(reader, 'bulwark.secret.rotations');
    expect(rotations).toEqual([
      expect.objectContaining({ attributes: { 'bulwark.policy.name': 'vault', 'bulwark.secret.name': 'UPSTREAM_API_KEY' }, value: 1 }),
    ]);
    const audits = await points(reader, 'bulwark.secret.accesses');
    expect(audits[0]!.attributes).toEqual({ 'bulwark.policy.name': 'vault', 'bulwark.secret.name': 'UPSTREAM_API_KEY', 'bulwark.secret.action': 'read' });
    expect(await sum(reader, 'bulwark.secret.refresh_failures', { 'bulwark.secret.name': 'UPSTREAM_API_KEY' })).toBe(1);
  });

  test('HTTP responses are timed per attempt by method and status; auth refreshes are counted; an unknown method is _OTHER', async () => {
    const { reader, meter } = meterWithReader();
    const api = fakeHttpClient('geo-api');
    instrumentPolicies(meter, api);
    api.response.emit({ method: 'GET', url: 'https://geo.example/v1/ip', status: 200, attempt: 1, durationMs: 120 });
    api.response.emit({ method: 'GET', url: 'https://geo.example/v1/ip', status: 503, attempt: 1, durationMs: 30 });
    api.response.emit({ method: 'BREW', url: 'https://geo.example/pot', status: 418, attempt: 1, durationMs: 5 });
    api.authRefresh.emit({ method: 'GET', url: 'https://geo.example/v1/ip', refreshed: true });
    api.authRefresh.emit({ method: 'GET', url: 'https://geo.example/v1/ip', refreshed: false });

    const responses = await points(reader, 'bulwark.http.response.duration');
    expect(responses.map((p) => p.attributes).sort((a, b) => Number(a['http.response.status_code']) - Number(b['http.response.status_code']))).toEqual([
      { 'bulwark.policy.name': 'geo-api', 'http.request.method': 'GET', 'http.response.status_code': 200 },
      { 'bulwark.policy.name': 'geo-api', 'http.request.method': '_OTHER', 'http.response.status_code': 418 },
      { 'bulwark.policy.name': 'geo-api', 'http.request.method': 'GET', 'http.response.status_code': 503 },
    ]);
    const ok = responses.find((p) => p.attributes['http.response.status_code'] === 200)!.value as { sum: number; count: number };
    expect([ok.count, ok.sum]).toEqual([1, 0.12]);
    expect(await sum(reader, 'bulwark.http.auth_refreshes', { 'bulwark.http.refreshed': true })).toBe(1);
    expect(await sum(reader, 'bulwark.http.auth_refreshes', { 'bulwark.http.refreshed': false })).toBe(1);
  });

  test("core's timeout, bulkhead, fallback and chaos policies are recognised by their events", async () => {
    const clock = createFakeClock();
    const { reader, meter } = meterWithReader();
    const t = timeout(100, { clock });
    const b = bulkhead({ limit: 1, queue: 0 });
    const f = fallback('cached');
    const c = chaos({ faultRate: 1, seed: 1 });
    const metrics = policyMetrics(meter, { clock });
    metrics.instrument(t, b, f, c);

    const slow = pipeline(f, t).execute(() => new Promise<string>(() => {}));
    await clock.tickAsync(100);
    expect(await slow).toBe('cached');
    const hold = b.execute(() => new Promise<void>(() => {}));
    void hold;
    await expect(b.execute(async () => 1)).rejects.toThrow();
    await expect(c.execute(async () => 1)).rejects.toThrow();

    expect(await sum(reader, 'bulwark.timeout.expirations')).toBe(1);
    expect(await sum(reader, 'bulwark.rejections', { 'bulwark.policy.name': 'bulkhead', 'bulwark.rejection.reason': 'full' })).toBe(1);
    expect(await sum(reader, 'bulwark.fallback.activations', { 'error.type': 'TIMEOUT' })).toBe(1);
    expect(await sum(reader, 'bulwark.chaos.injections', { 'bulwark.chaos.kind': 'fault' })).toBe(1);
  });

  test('measure() records call duration by outcome on the injected clock, and active calls', async () => {
    const clock = createFakeClock();
    const { reader, meter } = meterWithReader();
    const metrics = policyMetrics(meter, { clock });
    const measured = metrics.measure({ name: 'upstream' });
    const ok = measured.execute(
      () => new Promise<number>((resolve) => clock.setTimeout(() => resolve(1), 250)),
    );
    expect(await sum(reader, 'bulwark.call.active', { 'bulwark.policy.name': 'upstream' })).toBe(1);
    await clock.tickAsync(250);
    expect(await ok).toBe(1);
    await expect(measured.execute(() => Promise.reject(new TimeoutError(10)))).rejects.toThrow(TimeoutError);
    const result = await measured.executeResult(() => Promise.reject(new Error('boom')));
    expect(result.isErr()).toBe(true);

    const duration = await points(reader, 'bulwark.call.duration');
    const byOutcome = Object.fromEntries(
      duration.map((p) => [`${p.attributes['bulwark.call.outcome']}/${p.attributes['error.type'] ?? ''}`, p.value as { sum: number; count: number }]),
    );
    expect(byOutcome['success/']).toMatchObject({ count: 1, sum: 0.25 });
    expect(byOutcome['failure/TIMEOUT']).toMatchObject({ count: 1, sum: 0 });
    expect(byOutcome['failure/Error']).toMatchObject({ count: 1 });
    expect(await sum(reader, 'bulwark.call.active')).toBe(0);
  });

  test('measure() and usageTracker().policy() reject a fn that is not a function, and record no call', async () => {
    const { reader, meter } = meterWithReader();
    const measured = policyMetrics(meter).measure({ name: 'upstream' });
    const tracked = usageTracker({ meter }).policy('validate');
    for (const policy of [measured, tracked]) {
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = policy.execute(undefined as never);
      }).not.toThrow();
      await expect(pending).rejects.toThrow(new TypeError('Expected `fn` to be a function, got undefined.'));
      expect((await policy.executeResult(7 as never))._unsafeUnwrapErr().cause).toEqual(new TypeError('Expected `fn` to be a function, got 7.'));
    }
    expect(await points(reader, 'bulwark.call.duration')).toEqual([]);
    expect(await points(reader, 'bulwark.usage.requests')).toEqual([]);
  });

  test('measure() reports a call the caller aborted as aborted, not as a failure', async () => {
    const { reader, meter } = meterWithReader();
    const measured = policyMetrics(meter).measure();
    const controller = new AbortController();
    const call = measured.execute(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      controller.signal,
    );
    controller.abort();
    await expect(call).rejects.toThrow();
    expect(await sum(reader, 'bulwark.call.duration', { 'bulwark.call.outcome': 'aborted' })).toBe(1);
  });

  test('after close(), instrument() and measure() are refused alike with PolicyMetricsClosedError; a policy measured before keeps working', async () => {
    const { reader, meter } = meterWithReader();
    const metrics = policyMetrics(meter);
    const before = metrics.measure({ name: 'upstream' });
    await metrics.close();
    await metrics.close();
    for (const [method, call] of [['instrument', () => metrics.instrument(fakeRetry())], ['measure', () => metrics.measure({ name: 'checkout' })]] as const) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(isPolicyMetricsClosedError(error), method).toBe(true);
      expect(error).toMatchObject({
        code: 'POLICY_METRICS_CLOSED',
        method,
        transient: false,
        message: `The policy metrics are closed: ${method}() was called after close(). Make a new policyMetrics() to keep recording.`,
      });
    }
    // A call must not fail because its metrics were closed: the meter is the caller's to shut down.
    await expect(before.execute(() => 7)).resolves.toBe(7);
    expect(await sum(reader, 'bulwark.call.duration', { 'bulwark.policy.name': 'upstream' })).toBe(1);
  });

  test('dispose() unsubscribes every source and stops the breaker gauge', async () => {
    const { reader, meter } = meterWithReader();
    const retry = fakeRetry();
    const breaker = fakeBreaker();
    const subscription = instrumentPolicies(meter, retry, breaker);
    retry.retry.emit({ attempt: 1, delayMs: 1, error: new Error('x') });
    subscription.dispose();
    retry.retry.emit({ attempt: 2, delayMs: 1, error: new Error('x') });

    expect(await sum(reader, 'bulwark.retry.retries')).toBe(1);
    expect(await points(reader, 'bulwark.breaker.state')).toEqual([]);
  });

  test('counts are kept between collections, the same for every reader, and as deltas for a delta reader', async () => {
    const cumulative = new TestPullReader();
    const delta = new TestPullReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
    const meter = new MeterProvider({ readers: [cumulative, delta] }).getMeter('test');
    const metrics = policyMetrics(meter);
    const limiter = fakeRateLimiter('api');
    metrics.instrument(limiter);
    const measured = metrics.measure({ name: 'api' });
    const rejectedSum = async (reader: TestPullReader) => sum(reader, 'bulwark.rejections');

    limiter.rejected.emit({ key: 'k', retryAfterMs: undefined, reason: 'denied' });
    limiter.rejected.emit({ key: 'k', retryAfterMs: undefined, reason: 'denied' });
    expect(await rejectedSum(cumulative)).toBe(2);
    expect(await rejectedSum(delta)).toBe(2);
    limiter.rejected.emit({ key: 'k', retryAfterMs: undefined, reason: 'denied' });
    expect(await rejectedSum(cumulative)).toBe(3);
    expect(await rejectedSum(cumulative)).toBe(3); // a collection reads the totals, it does not reset them
    expect(await rejectedSum(delta)).toBe(1);
    expect(await rejectedSum(delta)).toBe(0);

    let release!: () => void;
    const call = measured.execute(() => new Promise<void>((resolve) => (release = resolve)));
    expect(await sum(cumulative, 'bulwark.call.active')).toBe(1);
    release();
    await call;
    expect(await sum(cumulative, 'bulwark.call.active')).toBe(0);
  });

  test('counts reach the SDK even when a View drops the breaker-state gauge', async () => {
    const reader = new TestPullReader();
    const meter = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: 'bulwark.breaker.state', aggregation: { type: AggregationType.DROP } }],
    }).getMeter('test');
    const breaker = fakeBreaker('geo');
    policyMetrics(meter).instrument(breaker);
    breaker.moveTo('open');
    breaker.reject(1000);
    expect(await points(reader, 'bulwark.breaker.state')).toEqual([]);
    expect(await sum(reader, 'bulwark.rejections')).toBe(1);
    expect(await sum(reader, 'bulwark.breaker.transitions')).toBe(1);
  });

  test('rejects a source with no known event, and bad options, naming what was wrong', () => {
    const { meter } = meterWithReader();
    expect(() => instrumentPolicies(meter, { onSomething: () => {} })).toThrow(/Expected `sources\[0\]` to be an object with at least one Bulwark event/);
    expect(() => policyMetrics({} as never)).toThrow(/Expected `meter` to be an OpenTelemetry Meter/);
    expect(() => policyMetrics(meter, { cardinalityLimit: 1 })).toThrow('Expected `cardinalityLimit` to be an integer of at least 2, got 1.');
    expect(() => policyMetrics(meter, { durationBucketsSeconds: [1, 0.5] })).toThrow('durationBucketsSeconds[1]');
  });
});

describe('cardinality cap', () => {
  test('a key-per-user attribute is capped: new keys past the limit fold into otel.metric.overflow=true', async () => {
    const { reader, meter } = meterWithReader();
    const limiter = fakeRateLimiter('per-user');
    const metrics = policyMetrics(meter, { cardinalityLimit: 10, keyAttribute: true });
    metrics.instrument(limiter);
    for (let user = 0; user < 5_000; user++) limiter.rejected.emit({ key: `user-${user}`, retryAfterMs: 100, reason: 'denied' });
    // Keys already admitted keep their own series.
    limiter.rejected.emit({ key: 'user-0', retryAfterMs: 100, reason: 'denied' });

    const series = await points(reader, 'bulwark.rejections');
    expect(series).toHaveLength(10);
    const overflow = series.filter((p) => p.attributes['otel.metric.overflow'] === true);
    expect(overflow).toHaveLength(1);
    expect(overflow[0]!.value).toBe(5_000 - 9);
    expect(series.find((p) => p.attributes['bulwark.key'] === 'user-0')!.value).toBe(2);
    // Nothing is lost: every event is counted somewhere.
    expect(await sum(reader, 'bulwark.rejections')).toBe(5_001);
    expect(metrics.overflows.get('bulwark.rejections')).toBe(5_000 - 9);
    expect((await points(reader, 'bulwark.rejection.retry_after')).length).toBeLessThanOrEqual(10);
  });

  test('for any stream of keys: at most `limit` series, the first keys keep their own, nothing is lost (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 12 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }), async (limit, keys) => {
        const { reader, meter } = meterWithReader();
        const cache = fakeCache('c');
        policyMetrics(meter, { cardinalityLimit: limit, keyAttribute: true }).instrument(cache);
        for (const key of keys) cache.miss.emit({ key });
        const series = await points(reader, 'bulwark.cache.lookups');
        expect(series.length).toBeLessThanOrEqual(limit);
        expect(series.reduce((n, p) => n + (p.value as number), 0)).toBe(keys.length);
        const admitted = [...new Set(keys)].slice(0, limit - 1);
        for (const key of admitted) {
          expect(series.find((p) => p.attributes['bulwark.key'] === key)?.value).toBe(keys.filter((k) => k === key).length);
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
