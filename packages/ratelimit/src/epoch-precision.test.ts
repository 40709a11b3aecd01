// Decisions at the clock's real magnitude: epoch milliseconds (about 1.8e12) keep only a few
// ten-thousandths of a millisecond, so an interval of 1000/3 ms must not be added to and taken
// from `now` before it is compared.
import { systemClock } from '@bulwark/core';
import { describeRedis, useRedis } from '@bulwark/test-utils';
import { describe, expect, test } from 'vitest';
import { memoryRateLimitStore, rateLimiter, redisRateLimitStore, type RateLimitStore } from './index.js';

const RATES = Array.from({ length: 30 }, (_, i) => i + 1);

async function firstCalls(store: () => RateLimitStore): Promise<number[]> {
  const refused: number[] = [];
  for (const limit of RATES) {
    // A burst of 1: the first call of a fresh key is exactly at the edge of what is allowed.
    const limiter = rateLimiter({ name: `epoch-${limit}`, limits: { limit, windowMs: 1_000, burst: 1 }, store: store(), clock: systemClock });
    const decision = await limiter.tryAcquire(`fresh-${limit}`);
    if (!decision.allowed) refused.push(limit);
  }
  return refused;
}

describe('the first call of a fresh key with a burst of 1, on the system clock', () => {
  test('is allowed at every rate from 1 to 30 a second (memory store)', async () => {
    expect(await firstCalls(() => memoryRateLimitStore())).toEqual([]);
  });
});

describeRedis('the first call of a fresh key with a burst of 1, on Redis time', () => {
  const redis = useRedis();
  test('is allowed at every rate from 1 to 30 a second (Redis store)', async () => {
    expect(await firstCalls(() => redisRateLimitStore({ client: redis.client, prefix: redis.prefix }))).toEqual([]);
  });
});
