import { MAX_DURATION_MS } from '@bulwark/core';
import { describeRedis, useRedis } from '@bulwark/test-utils';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { isRateLimitedError, memoryRateLimitStore, rateLimiter, redisRateLimitStore, type RateLimitStore } from './index.js';

// Node's timer keeps at most 2^31 − 1 ms (about 24.8 days) and fires a longer one after 1 ms; so do
// vitest's fake timers. These tests run the limiter on the default (system) clock on fake time.
const DAY_MS = 86_400_000;

/** A memory store that counts the decisions asked of it. */
function countingStore() {
  const inner = memoryRateLimitStore();
  const counts = { decide: 0 };
  const store: RateLimitStore = {
    kind: 'memory',
    decide: (key, set, cost, take) => {
      counts.decide++;
      return inner.decide(key, set, cost, take);
    },
    hold: (key, ms) => inner.hold(key, ms),
    strike: (key, base, max) => inner.strike(key, base, max),
    clearStrikes: (key) => inner.clearStrikes(key),
    learn: (key, lesson) => inner.learn(key, lesson),
  };
  return { store, counts };
}

describe('waits longer than a platform timer holds', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('acquire with maxWaitMs: 3e9 waits its turn instead of timing out after 1 ms', async () => {
    const limiter = rateLimiter({ limits: { limit: 1, windowMs: 30 * DAY_MS } });
    await limiter.acquire('k');
    const outcome = vi.fn();
    limiter.acquire('k', { maxWaitMs: 3e9 }).then(
      (d) => outcome('granted', d.allowed),
      (e: unknown) => outcome('refused', isRateLimitedError(e) ? e.reason : e),
    );
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(outcome).not.toHaveBeenCalled();
    expect(limiter.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(30 * DAY_MS - 2 ** 31);
    expect(outcome.mock.calls).toEqual([['granted', true]]);
  });

  test('a 30-day window with maxWaitMs: Infinity asks the store once per turn, not 900 times a second', async () => {
    const { store, counts } = countingStore();
    const limiter = rateLimiter({ limits: { limit: 1, windowMs: 30 * DAY_MS }, store, maxWaitMs: Infinity });
    await limiter.acquire('k');
    const granted = vi.fn();
    void limiter.acquire('k').then(granted);
    await vi.advanceTimersByTimeAsync(1_000);
    const afterOneSecond = counts.decide;
    expect(afterOneSecond).toBeLessThanOrEqual(3);
    await vi.advanceTimersByTimeAsync(29 * DAY_MS);
    expect(counts.decide).toBe(afterOneSecond);
    expect(granted).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(DAY_MS);
    expect(granted).toHaveBeenCalledOnce();
  });

  test('a server hold of 40 days holds the key for 40 days', async () => {
    const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 }, maxHintMs: 60 * DAY_MS, maxWaitMs: Infinity });
    await limiter.observe('k', { status: 429, headers: { 'retry-after': String((40 * DAY_MS) / 1000) } });
    const granted = vi.fn();
    void limiter.acquire('k').then(granted);
    await vi.advanceTimersByTimeAsync(39 * DAY_MS);
    expect(granted).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(DAY_MS);
    expect(granted).toHaveBeenCalledOnce();
  });
});

describe('durations a Redis store cannot hold are refused at construction', () => {
  test('windowMs above 100 years', () => {
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: 1e20 } })).toThrow(
      new TypeError(
        'Expected `limits.windowMs` to be an integer from 1 to 3_155_760_000_000 (100 years, the longest duration the Redis store keeps exactly), got 100000000000000000000.',
      ),
    );
    expect(() => rateLimiter({ limits: [{ limit: 1, windowMs: 1_000 }, { limit: 1, windowMs: MAX_DURATION_MS + 1 }] })).toThrow(
      'Expected `limits[1].windowMs` to be an integer from 1 to 3_155_760_000_000',
    );
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: MAX_DURATION_MS } })).not.toThrow();
  });

  test('a gcra burst that would take over 100 years to refill', () => {
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: 30 * DAY_MS, burst: 2_000 } })).toThrow(
      new TypeError(
        'Expected `limits.burst` to be an integer from 1 to 1217 (a full bucket must refill within 100 years, the longest duration the Redis store keeps exactly), got 2000.',
      ),
    );
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: 30 * DAY_MS, burst: 1_217 } })).not.toThrow();
  });

  test('server holds and backoffs', () => {
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: 1_000 }, maxHintMs: 1e20 })).toThrow(
      'Expected `maxHintMs` to be an integer from 0 to 3_155_760_000_000 (100 years, the longest duration the Redis store keeps exactly), got 100000000000000000000.',
    );
    expect(() => rateLimiter({ limits: { limit: 1, windowMs: 1_000 }, backoff: { maxDelayMs: 1e20 } })).toThrow(
      'Expected `backoff.maxDelayMs` to be an integer from 1000 to 3_155_760_000_000 (100 years, the longest duration the Redis store keeps exactly), got 100000000000000000000.',
    );
  });
});

describeRedis('the longest durations accepted work on Redis', () => {
  const redis = useRedis();

  test('a 100-year window, a 100-year hold and the longest backoff are decided by Redis, never by the fallback', async () => {
    const limiter = rateLimiter({
      limits: [
        { limit: 2, windowMs: MAX_DURATION_MS },
        { limit: 2, windowMs: MAX_DURATION_MS, algorithm: 'fixed-window' },
        { limit: 2, windowMs: MAX_DURATION_MS, algorithm: 'sliding-window' },
      ],
      store: redisRateLimitStore({ client: redis.client, prefix: redis.prefix }),
      maxHintMs: MAX_DURATION_MS,
      backoff: { initialDelayMs: MAX_DURATION_MS, maxDelayMs: MAX_DURATION_MS },
    });
    const decisions = [await limiter.tryAcquire('k'), await limiter.tryAcquire('k'), await limiter.tryAcquire('k')];
    expect(decisions.map((d) => [d.allowed, d.fallback])).toEqual([
      [true, false],
      [true, false],
      [false, false],
    ]);
    expect(decisions[2]!.retryAfterMs).toBeGreaterThan(MAX_DURATION_MS / 3);
    expect((await limiter.observe('h', { status: 429, headers: { 'retry-after': String(MAX_DURATION_MS / 1000) } })).holdMs).toBe(MAX_DURATION_MS);
    expect((await limiter.observe('s', { status: 429, headers: {} })).holdMs).toBe(MAX_DURATION_MS);
    expect(await limiter.tryAcquire('h')).toMatchObject({ allowed: false, fallback: false });
    expect(await limiter.tryAcquire('s')).toMatchObject({ allowed: false, fallback: false });
    expect(limiter.fallbackDecisions).toBe(0);
  });
});
