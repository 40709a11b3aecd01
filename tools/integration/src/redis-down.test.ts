import { circuitBreaker, redisCircuitStore } from '@bulwark/breaker';
import { cache } from '@bulwark/cache';
import { createFakeClock } from '@bulwark/core';
import { logPolicyEvents } from '@bulwark/logging';
import { rateLimiter, redisStore } from '@bulwark/ratelimit';
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
  const limiter = rateLimiter({ name: 'shared-limit', limits: { limit: 10, windowMs: 1_000 }, store: redisStore({ client, timeoutMs: 50, clock }), clock });
  const breaker = circuitBreaker({
    name: 'shared-breaker',
    breaker: { kind: 'consecutive', threshold: 1 },
    shared: redisCircuitStore({ client, timeoutMs: 50, syncIntervalMs: 100, clock }),
    clock,
  });
  const validations = cache({ name: 'shared-cache', ttlJitter: 0, earlyRefreshBeta: 0, redis: { client, subscriber: client, timeoutMs: 50 }, clock });
  using _events = logPolicyEvents(logger, limiter, breaker, validations);
  const sharedStateErrors: unknown[] = [];
  breaker.onSharedStateError((e) => sharedStateErrors.push(e));

  expect((await limiter.tryAcquire('api.example.com')).allowed).toBe(true);
  expect(await breaker.execute(async () => 'ok')).toBe('ok');
  await clock.tickAsync(200);
  expect(await breaker.execute(async () => 'ok')).toBe('ok');
  expect(await validations.getOrSet('k', async () => 'loaded')).toBe('loaded');
  // The cache's subscription waits for its setup deadline (5 s on its clock) before close() returns.
  await clock.tickAsync(5_000);
  await validations.close();
  await logger.close();
  return { lines: lines(), limiter, breaker, sharedStateErrors };
}

describe('Redis down: every package goes on locally and logs it', () => {
  test('the rate limiter falls back and the cache serves from memory, each logged at warn', async () => {
    const { lines, limiter } = await withRedisDown();
    expect(limiter.fallbackDecisions).toBeGreaterThan(0);
    expect(lines.find((l) => l.policy === 'shared-limit' && l.event === 'storeFallback')).toMatchObject({ level: 'warn', error: expect.objectContaining({ code: 'RATE_LIMIT_STORE_UNAVAILABLE' }) });
    expect(lines.find((l) => l.policy === 'shared-cache' && l.event === 'l2Error')).toMatchObject({ level: 'warn', error: expect.objectContaining({ code: 'CACHE_L2_UNAVAILABLE' }) });
  });

  // BUG (@bulwark/logging): POLICY_EVENT_LINES has no entry for the breaker's onSharedStateError,
  // so a breaker whose shared Redis store is down is logged at `debug` (the fallback for unknown
  // events) — invisible at the default level — while the same outage is a `warn` from the rate
  // limiter (onStoreFallback) and the cache (onL2Error).
  test("the breaker's shared-state failures are logged at warn too", async () => {
    const { lines, breaker, sharedStateErrors } = await withRedisDown();
    expect(breaker.state).toBe('closed');
    expect(sharedStateErrors.length).toBeGreaterThan(0); // the breaker did report the outage
    expect(lines.find((l) => l.policy === 'shared-breaker' && l.event === 'sharedStateError')).toMatchObject({ level: 'warn', error: expect.objectContaining({ code: 'SHARED_STATE_UNAVAILABLE' }) });
  });
});
