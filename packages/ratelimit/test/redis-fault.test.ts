import { usePrivateRedis } from '@bulwark/test-utils';
import { describe, expect, test } from 'vitest';
import { rateLimiter, redisRateLimitStore, type RateLimitDecision, type RateLimitStoreErrorEvent } from '@bulwark/ratelimit';

// Its own redis-server, killed (SIGKILL, as a crash) mid-run and started again on the same port:
// the restarted server has no scripts cached, so the store must reload its script after NOSCRIPT.
describe('Redis killed mid-run and restarted', () => {
  const redis = usePrivateRedis();

  /** Resolves when `condition` holds, checking every 10 ms; fails after `ms`. */
  const eventually = async (what: string, condition: () => boolean, ms: number): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  test('under load: no call hangs or throws, fallback decisions are counted, shared limiting resumes', async () => {
    const limiter = rateLimiter({
      limits: [
        { limit: 100_000, windowMs: 1_000, burst: 1_000 },
        { algorithm: 'fixed-window', limit: 1_000_000, windowMs: 60_000, name: 'minute' },
      ],
      store: redisRateLimitStore({ client: redis.client, timeoutMs: 100 }),
      fallbackShare: 0.5,
      maxWaitMs: 1_000,
    });
    const events: RateLimitStoreErrorEvent[] = [];
    limiter.onStoreError((e) => events.push(e));

    const log: Array<{ phase: string; decision: RateLimitDecision }> = [];
    const failures: unknown[] = [];
    let phase = 'before';
    let running = true;
    // Every decision must settle: a guard of 2 s (twenty deadlines) records one that does not.
    const guarded = async (pending: Promise<RateLimitDecision>): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<'hung'>((resolve) => {
        timer = setTimeout(() => resolve('hung'), 2_000);
      });
      try {
        const result = await Promise.race([pending, guard]);
        if (result === 'hung') failures.push(new Error(`a decision did not settle within 2 s (${phase})`));
        else log.push({ phase, decision: result });
      } catch (error) {
        failures.push(error);
      } finally {
        clearTimeout(timer);
      }
    };
    const loops = [0, 1, 2, 3].map(async (i) => {
      while (running) {
        await guarded(i % 2 === 0 ? limiter.tryAcquire('k') : limiter.acquire('k'));
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    const count = (p: string, fallback: boolean) => log.filter((l) => l.phase === p && l.decision.fallback === fallback).length;

    try {
      await eventually('shared decisions before the crash', () => count('before', false) >= 20, 5_000);
      phase = 'down';
      await redis.server.kill();
      await eventually('fallback decisions while Redis is down', () => count('down', true) >= 30, 5_000);
      phase = 'restarted';
      await redis.server.start();
      await eventually('shared decisions after the restart', () => count('restarted', false) >= 20, 10_000);
    } finally {
      running = false;
      await Promise.all(loops);
    }

    expect(failures).toEqual([]);
    expect(log.every((l) => l.decision.allowed)).toBe(true);
    expect(count('before', true)).toBe(0);
    expect(limiter.fallbackDecisions).toBe(events.length);
    expect(limiter.fallbackDecisions).toBe(log.filter((l) => l.decision.fallback).length);
    // Shared state again: the count lives in the restarted Redis, which holds only post-restart calls.
    const minute = await redis.client.get('bulwark:ratelimit:{k}:minute:f');
    const sharedAfter = log.filter((l) => l.phase === 'restarted' && !l.decision.fallback).length;
    expect(Math.floor(Number(minute) / 4)).toBeGreaterThanOrEqual(sharedAfter); // count * 4 + window % 4
  });

  test('observe during an outage holds locally instead of throwing', async () => {
    const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 }, store: redisRateLimitStore({ client: redis.client, timeoutMs: 200 }) });
    await redis.server.kill();
    try {
      const result = await limiter.observe('api', new Response(null, { status: 429 }));
      expect(result).toMatchObject({ holdMs: 1_000, backoff: true });
      expect(await limiter.tryAcquire('api')).toMatchObject({ allowed: false, fallback: true });
      expect(limiter.fallbackDecisions).toBe(2);
    } finally {
      await redis.server.start();
    }
  });
});
