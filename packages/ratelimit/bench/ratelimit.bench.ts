import { memoryRateLimitStore, rateLimiter, redisRateLimitStore } from '@bulwark/ratelimit';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient, type RedisClientType } from 'redis';

// Limits high enough that every decision is "allowed": both libraries do their full bookkeeping,
// and neither pays for building a rejection. Keys rotate over 100 values, as a real client's would.
const KEYS = Array.from({ length: 100 }, (_, i) => `k${i}`);
const MEMORY_BATCH = 100;
const REDIS_BATCH = 50;
const HUGE = 1_000_000_000;
const DAY_MS = 86_400_000;

const sequential =
  (once: (key: string) => Promise<unknown>, batch: number) =>
  async (): Promise<void> => {
    for (let i = 0; i < batch; i++) await once(KEYS[i % KEYS.length]!);
  };

export default async function suites() {
  const oursMemory = rateLimiter({ limits: { limit: HUGE, windowMs: 1_000 }, store: memoryRateLimitStore() });
  const theirsMemory = new RateLimiterMemory({ points: HUGE, duration: 1 });

  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = createClient({ url }) as RedisClientType;
  client.on('error', () => {});
  await client.connect();
  const prefix = `bulwark-bench:${process.pid}:`;
  const floorSha = await client.scriptLoad('return 1');
  const limits = { algorithm: 'fixed-window' as const, limit: HUGE, windowMs: DAY_MS };
  const oursRedis = rateLimiter({ limits, store: redisRateLimitStore({ client, prefix }) });
  const oursLeased = rateLimiter({ limits, store: redisRateLimitStore({ client, prefix: `${prefix}lease:` }), lease: { size: 100, ttlMs: 1_000 } });
  const theirsRedis = new RateLimiterRedis({ storeClient: client, useRedisPackage: true, points: HUGE, duration: 86_400, keyPrefix: `${prefix}rlf` });

  const cleanup = async (): Promise<void> => {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) keys.push(...batch);
    if (keys.length > 0) await client.del(keys);
    await client.close();
  };

  return [
    {
      suite: 'tryAcquire, memory store, allowed path',
      cases: [
        { name: '@bulwark/ratelimit memoryRateLimitStore (gcra)', peer: null, batch: MEMORY_BATCH, fn: sequential((k) => oursMemory.tryAcquire(k), MEMORY_BATCH) },
        { name: 'rate-limiter-flexible RateLimiterMemory.consume', peer: 'rate-limiter-flexible', batch: MEMORY_BATCH, fn: sequential((k) => theirsMemory.consume(k), MEMORY_BATCH) },
      ],
    },
    {
      suite: 'tryAcquire, Redis store, one round trip per decision (sequential)',
      cases: [
        { name: '@bulwark/ratelimit redisRateLimitStore (Lua, Redis TIME)', peer: null, batch: REDIS_BATCH, fn: sequential((k) => oursRedis.tryAcquire(k), REDIS_BATCH) },
        { name: 'rate-limiter-flexible RateLimiterRedis.consume', peer: 'rate-limiter-flexible', batch: REDIS_BATCH, fn: sequential((k) => theirsRedis.consume(k), REDIS_BATCH) },
        // What any one-round-trip decision costs at least on this client: a script that does nothing.
        { name: 'floor: EVALSHA of `return 1` on the same client (a round trip, no decision)', peer: 'round-trip floor', batch: REDIS_BATCH, fn: sequential(() => client.evalSha(floorSha, { keys: [], arguments: [] }), REDIS_BATCH) },
      ],
    },
    {
      suite: 'tryAcquire, Redis store, local batching (lease of 100)',
      cases: [
        { name: '@bulwark/ratelimit redisRateLimitStore + lease { size: 100 }', peer: null, batch: REDIS_BATCH, fn: sequential((k) => oursLeased.tryAcquire(k), REDIS_BATCH) },
        { name: '@bulwark/ratelimit redisRateLimitStore, one round trip per decision', peer: 'baseline', batch: REDIS_BATCH, fn: sequential((k) => oursRedis.tryAcquire(k), REDIS_BATCH) },
        { name: 'rate-limiter-flexible RateLimiterRedis.consume', peer: 'rate-limiter-flexible', batch: REDIS_BATCH, fn: sequential((k) => theirsRedis.consume(k), REDIS_BATCH) },
      ],
      teardown: cleanup,
    },
  ];
}
