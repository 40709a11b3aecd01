import { circuitBreaker, redisCircuitStore } from '@bulwark/breaker';
import { cache, redisCacheStore } from '@bulwark/cache';
import { createFakeClock } from '@bulwark/core';
import { logPolicyEvents } from '@bulwark/logging';
import { rateLimiter, redisRateLimitStore } from '@bulwark/ratelimit';
import { createClient } from 'redis';
import { describe, expect, test } from 'vitest';
import { memoryLogger } from './support.js';

/**
 * One Redis client for the whole toolkit, as the design asks, that never connected: Redis is down.
 * Nothing here needs a server; every package must go on locally and say so.
 */
async function withRedisDown() {
  const clock = createFakeClock({ now: Date.UTC(2026, 10, 24) });
  const client = createClient({ url: 'redis://127.0.0.1:9' });
  client.on('error', () => {});
  const { logger, lines } = memoryLogger({ clock, level: 'info' });
  // One pattern for all three: the primitive takes a `store` made from the one client.
  const limiter = rateLimiter({ name: 'shared-limit', limits: { limit: 10, windowMs: 1_000 }, store: redisRateLimitStore({ client, timeoutMs: 50, clock }), clock });
  const breaker = circuitBreaker({
    name: 'shared-breaker',
    breaker: { kind: 'consecutive', threshold: 1 },
    store: redisCircuitStore({ client, timeoutMs: 50, syncIntervalMs: 100, clock }),
    clock,
  });
  const validations = cache({
    name: 'shared-cache',
    ttlJitter: 0,
    earlyRefreshBeta: 0,
    store: redisCacheStore({ client, subscriber: client, timeoutMs: 50, clock }),
    clock,
  });
  using _events = logPolicyEvents(logger, limiter, breaker, validations);
  const storeErrors: unknown[] = [];
  breaker.onStoreError((e) => storeErrors.push(e));

  expect((await limiter.tryAcquire('api.example.com')).allowed).toBe(true);
  expect(await breaker.execute(async () => 'ok')).toBe('ok');
  await clock.tickAsync(200);
  expect(await breaker.execute(async () => 'ok')).toBe('ok');
  expect(await validations.getOrSet('k', async () => 'loaded')).toBe('loaded');
  // The cache's subscription waits for its setup deadline (5 s on its clock) before close() returns.
  await clock.tickAsync(5_000);
  await validations.close();
  await logger.close();
  return { lines: lines(), limiter, breaker, storeErrors };
}

describe('Redis down: every package goes on locally and logs it', () => {
  test('the rate limiter, the cache and the breaker each report one event, onStoreError, with one error code, at warn', async () => {
    const { lines, limiter, breaker, storeErrors } = await withRedisDown();
    expect(limiter.fallbackDecisions).toBeGreaterThan(0);
    expect(breaker.state).toBe('closed');
    expect(storeErrors.length).toBeGreaterThan(0); // the breaker did report the outage
    for (const [policy, store] of [
      ['shared-limit', 'redisRateLimitStore'],
      ['shared-cache', 'redisCacheStore'],
      ['shared-breaker', 'redisCircuitStore'],
    ]) {
      expect(lines.find((l) => l.policy === policy && l.event === 'storeError')).toMatchObject({
        level: 'warn',
        message: 'shared store failed, decided locally',
        operation: expect.any(String),
        error: expect.objectContaining({ code: 'STORE_UNAVAILABLE', store }),
      });
    }
  });
});
