import { describeRedis, usePrivateRedis } from '@bulwark/test-utils';
import { expect, test } from 'vitest';
import { rateLimiter, redisRateLimitStore, type RateLimiter } from './index.js';

// The window in which the store fails, or comes back, must not admit the store's count plus every
// process's local share (up to twice the limit with fallbackShare = 1/processes). Two limiters on
// one Redis stand for two processes; the same bound on a failing memory store is tested, window by
// window, in fallback-and-lease.test.ts.

/** How many of `tries` calls `limiter` admits now. */
async function admitted(limiter: RateLimiter, tries: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < tries; i++) if ((await limiter.tryAcquire('k')).allowed) n++;
  return n;
}

describeRedis('a real Redis frozen and thawed under two limiters', () => {
  const redis = usePrivateRedis();

  test('the window of the failure and of the return admits at most the limit', async () => {
    // A window of 100 years: no window boundary falls inside the test.
    const make = () =>
      rateLimiter({
        limits: { algorithm: 'fixed-window', limit: 10, windowMs: 3_155_760_000_000 },
        store: redisRateLimitStore({ client: redis.client, timeoutMs: 100 }),
        fallbackShare: 0.5,
      });
    const a = make();
    const b = make();
    let total = (await admitted(a, 3)) + (await admitted(b, 3));
    expect(total).toBe(6);
    const pid = redis.server.pid!;
    // Frozen, as an overloaded or partitioned server is: calls time out, and its counts are kept.
    process.kill(pid, 'SIGSTOP');
    try {
      const local = [await admitted(a, 10), await admitted(b, 10)];
      expect(local).toEqual([2, 2]);
      expect(a.fallbackDecisions).toBeGreaterThan(0);
      total += local[0]! + local[1]!;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await redis.client.ping()).toBe('PONG');
    total += (await admitted(a, 10)) + (await admitted(b, 10));
    expect(total).toBe(10);
  });
});
