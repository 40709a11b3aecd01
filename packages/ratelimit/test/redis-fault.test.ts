import { startRedisServer, type PrivateRedisServer } from '@bulwark/test-utils';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rateLimiter, redisStore, type RateLimitDecision, type StoreFallbackEvent } from '@bulwark/ratelimit';

// Its own redis-server, killed (SIGKILL, as a crash) mid-run and started again on the same port:
// the restarted server has no scripts cached, so the store must reload its script after NOSCRIPT.
describe('Redis killed mid-run and restarted', () => {
  let server: PrivateRedisServer;
  let client: RedisClientType;

  beforeAll(async () => {
    server = await startRedisServer();
    client = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } }) as RedisClientType;
    client.on('error', () => {});
    await client.connect();
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  test('no call hangs or throws, fallback decisions are counted, shared limiting resumes', async () => {
    const limiter = rateLimiter({
      limits: { algorithm: 'fixed-window', limit: 1_000_000, windowMs: 60_000 },
      store: redisStore({ client, timeoutMs: 200 }),
      fallbackShare: 0.5,
    });
    const events: StoreFallbackEvent[] = [];
    limiter.onStoreFallback((e) => events.push(e));
    const hung = Symbol('hung');

    // Every decision must settle: a guard of 2 s (ten deadlines) marks one that does not.
    const decide = async (): Promise<RateLimitDecision> => {
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<typeof hung>((resolve) => {
        timer = setTimeout(() => resolve(hung), 2_000);
      });
      const result = await Promise.race([limiter.tryAcquire('k'), guard]);
      clearTimeout(timer);
      if (result === hung) throw new Error('a decision did not settle within 2 s');
      return result;
    };
    /** Decides repeatedly until `until` holds for a decision, or fails after `ms`. */
    const decideUntil = async (until: (d: RateLimitDecision) => boolean, ms: number): Promise<RateLimitDecision[]> => {
      const seen: RateLimitDecision[] = [];
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const d = await decide();
        seen.push(d);
        if (until(d)) return seen;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`condition not reached within ${ms} ms after ${seen.length} decisions`);
    };

    const before = await decideUntil(() => true, 2_000);
    expect(before[0]!.fallback).toBe(false);

    await server.kill();
    const during = await decideUntil((d) => d.fallback, 5_000);
    for (let i = 0; i < 20; i++) during.push(await decide());
    expect(during.filter((d) => d.fallback).length).toBeGreaterThanOrEqual(20);
    expect(during.every((d) => d.allowed)).toBe(true);
    const counted = limiter.fallbackDecisions;
    expect(counted).toBeGreaterThanOrEqual(20);
    expect(events).toHaveLength(counted);

    await server.start();
    const after = await decideUntil((d) => !d.fallback, 10_000);
    // Shared state again: the count lives in the restarted Redis.
    expect(after.at(-1)).toMatchObject({ allowed: true, fallback: false });
    const keys = await client.keys('bulwark:ratelimit:{k}:*');
    expect(keys).toEqual(['bulwark:ratelimit:{k}:fixed-window-1000000-60000']);
    expect(Number((await client.get(keys[0]!))?.split(':')[1])).toBeGreaterThanOrEqual(1);
  });

  test('observe during an outage holds locally instead of throwing', async () => {
    const limiter = rateLimiter({ limits: { limit: 10, windowMs: 1_000 }, store: redisStore({ client, timeoutMs: 200 }) });
    await server.kill();
    try {
      const result = await limiter.observe('api', new Response(null, { status: 429 }));
      expect(result).toMatchObject({ holdMs: 1_000, backoff: true });
      expect(await limiter.tryAcquire('api')).toMatchObject({ allowed: false, fallback: true });
      expect(limiter.fallbackDecisions).toBe(2);
    } finally {
      await server.start();
    }
  });
});
