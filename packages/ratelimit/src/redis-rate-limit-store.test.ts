import { createFakeClock, type RedisClient } from '@bulwark/core';
import { describeRedis, useRedis } from '@bulwark/test-utils';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { memoryRateLimitStore, rateLimiter, redisRateLimitStore, type LimitOptions, type RateLimitStoreErrorEvent } from './index.js';

describeRedis('redisRateLimitStore', () => {
  const redis = useRedis();
  const make = (limits: NonNullable<Parameters<typeof rateLimiter>[0]['limits']>, extra: Partial<Parameters<typeof rateLimiter>[0]> = {}) =>
    rateLimiter({ limits, store: redisRateLimitStore({ client: redis.client, prefix: redis.prefix }), ...extra });

  test('gcra: the burst passes, the next call is told when to come back, by Redis time', async () => {
    const limiter = make({ limit: 10, windowMs: 10_000, burst: 3 });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.tryAcquire('k'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[2]!.remaining).toBe(0);
    expect(decisions[3]!.retryAfterMs).toBeGreaterThan(900);
    expect(decisions[3]!.retryAfterMs).toBeLessThanOrEqual(1_000);
    const [seconds] = (await redis.client.sendCommand(['TIME'])) as string[];
    expect(Math.abs(decisions[0]!.decidedAt - Number(seconds) * 1000)).toBeLessThan(5_000);
  });

  test('fixed and sliding windows count per key, one Redis key per limit, all in one hash slot', async () => {
    const limiter = make([
      { algorithm: 'fixed-window', limit: 5, windowMs: 60_000 },
      { algorithm: 'sliding-window', limit: 3, windowMs: 60_000 },
    ]);
    let allowed = 0;
    for (let i = 0; i < 6; i++) if ((await limiter.tryAcquire('user:1')).allowed) allowed++;
    expect(allowed).toBe(3);
    expect((await limiter.tryAcquire('user:2')).allowed).toBe(true);
    const keys: string[] = [];
    for await (const batch of redis.client.scanIterator({ MATCH: `${redis.prefix}*` })) keys.push(...batch);
    expect(keys.sort()).toEqual([
      `${redis.prefix}{user:1}:fixed-window-5-60000`,
      `${redis.prefix}{user:1}:sliding-window-3-60000`,
      `${redis.prefix}{user:2}:fixed-window-5-60000`,
      `${redis.prefix}{user:2}:sliding-window-3-60000`,
    ]);
    for (const key of keys) expect(await redis.client.pTTL(key)).toBeGreaterThan(0);
  });

  test('several limits are all-or-nothing, and weighted costs count', async () => {
    const limiter = make([
      { limit: 10, windowMs: 60_000, name: 'minute' },
      { algorithm: 'fixed-window', limit: 12, windowMs: 86_400_000, name: 'day' },
    ]);
    expect((await limiter.tryAcquire('k', 8)).allowed).toBe(true);
    expect((await limiter.tryAcquire('k', 3)).allowed).toBe(false); // the minute limit has 2 left
    expect((await limiter.tryAcquire('k', 2)).allowed).toBe(true); // so the day limit lost nothing
    expect(Math.floor(Number(await redis.client.get(`${redis.prefix}{k}:day:f`)) / 4)).toBe(10); // count * 4 + window % 4
  });

  test('the most limits a limiter may have (32) fit in one generated script', async () => {
    const algorithms = ['gcra', 'fixed-window', 'sliding-window'] as const;
    const limits = Array.from({ length: 32 }, (_, i) => ({ algorithm: algorithms[i % 3]!, limit: 40 - i, windowMs: 60_000 + i }));
    const inRedis = make(limits);
    const inMemory = rateLimiter({ limits, store: memoryRateLimitStore() });
    for (let i = 0; i < 12; i++) {
      const [r, m] = [await inRedis.tryAcquire('k', 1 + (i % 3)), await inMemory.tryAcquire('k', 1 + (i % 3))];
      expect([r.fallback, r.allowed, r.remaining]).toEqual([false, m.allowed, m.remaining]);
    }
  });

  test('a name keeps counting across a change of numbers, and starts afresh on a change of algorithm', async () => {
    const sliding = make({ algorithm: 'sliding-window', limit: 5, windowMs: 60_000, name: 'quota' });
    for (let i = 0; i < 5; i++) expect((await sliding.tryAcquire('k')).allowed).toBe(true);
    expect((await make({ algorithm: 'sliding-window', limit: 6, windowMs: 60_000, name: 'quota' }).tryAcquire('k')).remaining).toBe(0);
    const fixed = make({ algorithm: 'fixed-window', limit: 5, windowMs: 60_000, name: 'quota' });
    expect(await fixed.tryAcquire('k')).toMatchObject({ allowed: true, remaining: 4 });
    const gcra = make({ limit: 5, windowMs: 60_000, name: 'quota' });
    expect(await gcra.tryAcquire('k')).toMatchObject({ allowed: true, remaining: 4 });
  });

  test('two limiters (as two processes would) share the count', async () => {
    const a = make({ algorithm: 'fixed-window', limit: 4, windowMs: 60_000 });
    const b = make({ algorithm: 'fixed-window', limit: 4, windowMs: 60_000 });
    const results = await Promise.all([a, b, a, b, a, b].map((l) => l.tryAcquire('shared')));
    expect(results.filter((r) => r.allowed)).toHaveLength(4);
  });

  test('observe holds every process sharing Redis, and header-less 429s back off exponentially', async () => {
    const a = make({ limit: 100, windowMs: 1_000 }, { backoff: { initialDelayMs: 1_000, maxDelayMs: 8_000 } });
    const b = make({ limit: 100, windowMs: 1_000 });
    await a.observe('api', new Response(null, { status: 429, headers: { 'Retry-After': '30' } }));
    const held = await b.tryAcquire('api');
    expect(held.allowed).toBe(false);
    expect(held.retryAfterMs).toBeGreaterThan(29_000);
    const holds = [];
    for (let i = 0; i < 3; i++) holds.push((await a.observe('bare', new Response(null, { status: 503 }))).holdMs);
    expect(holds).toEqual([1_000, 2_000, 4_000]);
  });

  test('leases cut round trips and never over-admit within one window', async () => {
    const a = make({ algorithm: 'fixed-window', limit: 50, windowMs: 60_000 }, { lease: { size: 8 } });
    const b = make({ algorithm: 'fixed-window', limit: 50, windowMs: 60_000 }, { lease: { size: 8 } });
    let allowed = 0;
    for (let i = 0; i < 40; i++) {
      if ((await a.tryAcquire('k')).allowed) allowed++;
      if ((await b.tryAcquire('k')).allowed) allowed++;
    }
    expect(allowed).toBe(50);
  });

  test('property: the Lua script decides as the in-memory algorithms do', async () => {
    // Long windows and slow rates, so the milliseconds a run takes cannot change an answer.
    const YEAR = 365 * 86_400_000;
    const limits: LimitOptions[] = [
      { limit: 50, windowMs: YEAR, burst: 9, name: 'g' },
      { algorithm: 'fixed-window', limit: 20, windowMs: YEAR, name: 'f' },
      { algorithm: 'sliding-window', limit: 15, windowMs: YEAR, name: 's' },
    ];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([0, 1, 2], { minLength: 1 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 25 }),
        async (which, calls) => {
          const chosen = which.map((i) => limits[i]!);
          const prefix = `${redis.prefix}${run++}:`;
          const inRedis = rateLimiter({ limits: chosen, store: redisRateLimitStore({ client: redis.client, prefix }) });
          const inMemory = rateLimiter({ limits: chosen, store: memoryRateLimitStore() });
          for (const [key, cost] of calls) {
            const r = await inRedis.tryAcquire(key, Math.min(cost, 9));
            const m = await inMemory.tryAcquire(key, Math.min(cost, 9));
            expect([r.allowed, r.remaining]).toEqual([m.allowed, m.remaining]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('calls the script by SHA and reloads it once after NOSCRIPT (raw sendCommand path)', async () => {
    const client = await redis.connect();
    const calls: string[] = [];
    let forgotten = false;
    const forgetful = {
      isReady: true,
      evalSha: () => Promise.reject(new Error('not used when sendCommand is there')),
      eval: () => Promise.reject(new Error('not used when sendCommand is there')),
      sendCommand(args: string[], options: unknown) {
        calls.push(args[0]!);
        // No node-redis per-command timer (it would only guard the wait to be written, at about
        // 15 µs a call): the store's own deadline covers every call.
        expect(options).toEqual({ timeout: 0 });
        if (args[0] === 'EVALSHA' && !forgotten) {
          forgotten = true;
          return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
        }
        return client.sendCommand(args, options as never);
      },
    };
    const limiter = rateLimiter({ limits: { limit: 5, windowMs: 1_000 }, store: redisRateLimitStore({ client: forgetful as unknown as RedisClient, prefix: redis.prefix }) });
    for (let i = 0; i < 3; i++) expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, fallback: false });
    expect(calls).toEqual(['EVALSHA', 'EVAL', 'EVALSHA', 'EVALSHA']);
  });

  test('routes through evalSha for a cluster, whose sendCommand takes (firstKey, isReadonly, args)', async () => {
    const client = await redis.connect();
    const asked: object[] = [];
    const clusterLike = {
      masters: [],
      isReady: true,
      sendCommand: () => Promise.reject(new Error('a cluster needs a first key')),
      evalSha: (sha: string, call: { keys: string[]; arguments: string[] }) => client.evalSha(sha, call),
      eval: (script: string, call: { keys: string[]; arguments: string[] }) => client.eval(script, call),
      // The store asks for a view without node-redis's per-command timer, as node-redis clients offer.
      withCommandOptions(options: object) {
        asked.push(options);
        return this;
      },
    };
    const limiter = rateLimiter({ limits: { limit: 5, windowMs: 1_000 }, store: redisRateLimitStore({ client: clusterLike as unknown as RedisClient, prefix: redis.prefix }) });
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, fallback: false });
    expect(asked).toEqual([{ timeout: 0 }]);
  });

  test('calls the script by SHA and reloads it once after NOSCRIPT (evalSha path, as for a cluster)', async () => {
    const client = await redis.connect();
    const calls: string[] = [];
    let forgotten = false;
    // A client whose server forgets the script once, as a restarted or flushed server would.
    const forgetful = {
      isReady: true,
      evalSha(sha: string, call: { keys: string[]; arguments: string[] }) {
        calls.push('evalSha');
        if (!forgotten) {
          forgotten = true;
          return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
        }
        return client.evalSha(sha, call);
      },
      eval(script: string, call: { keys: string[]; arguments: string[] }) {
        calls.push('eval');
        return client.eval(script, call);
      },
    } as unknown as RedisClient;
    const limiter = rateLimiter({ limits: { limit: 5, windowMs: 1_000 }, store: redisRateLimitStore({ client: forgetful, prefix: redis.prefix }) });
    for (let i = 0; i < 3; i++) expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, fallback: false });
    expect(calls).toEqual(['evalSha', 'eval', 'evalSha', 'evalSha']);
  });
});

describe('redisRateLimitStore deadlines', () => {
  test('a Redis call past timeoutMs falls back locally; nothing hangs', async () => {
    const clock = createFakeClock({ now: Date.UTC(2026, 0, 1) });
    const silent = { isReady: true, evalSha: () => new Promise(() => {}), eval: () => new Promise(() => {}) } as unknown as RedisClient;
    const limiter = rateLimiter({
      limits: { limit: 8, windowMs: 1_000 },
      store: redisRateLimitStore({ client: silent, timeoutMs: 100, clock }),
      clock,
      fallbackShare: 0.5,
    });
    const events: RateLimitStoreErrorEvent[] = [];
    limiter.onStoreError((e) => events.push(e));
    const pending = limiter.tryAcquire('k');
    await clock.tickAsync(100);
    expect(await pending).toMatchObject({ allowed: true, fallback: true });
    expect(events[0]!.error.message).toBe('The store (redisRateLimitStore) could not decide: Redis did not answer within 100 ms.');
  });

  test('a client that is not ready is not even asked', async () => {
    let asked = 0;
    const ask = () => {
      asked++;
      return Promise.resolve([1, 0, 0]);
    };
    const offline = { isReady: false, evalSha: ask, eval: ask } as unknown as RedisClient;
    const limiter = rateLimiter({ limits: { limit: 8, windowMs: 1_000 }, store: redisRateLimitStore({ client: offline }) });
    expect(await limiter.tryAcquire('k')).toMatchObject({ allowed: true, fallback: true });
    expect(asked).toBe(0);
  });

  test('validates its options', () => {
    expect(() => redisRateLimitStore({ client: {} as never })).toThrow(
      'Expected `client` to be a connected node-redis client (createClient() or createCluster() from `redis`), got an object (Object).',
    );
    const client = { evalSha: async () => null, eval: async () => null } as unknown as RedisClient;
    expect(() => redisRateLimitStore({ client, timeoutMs: 0 })).toThrow('Expected `timeoutMs` to be a positive integer, got 0.');
  });
});


describeRedis('redisRateLimitStore, learning', () => {
  const redis = useRedis();
  /** Two limiters on one Redis: two processes, as far as the store can tell. */
  const pair = (extra: Partial<Parameters<typeof rateLimiter>[0]> = {}) => {
    const make = () => rateLimiter({ learn: { ttlMs: 30_000 }, store: redisRateLimitStore({ client: redis.client, prefix: redis.prefix }), ...extra });
    return [make(), make()] as const;
  };
  const respond = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });

  test('a first contact holds the other process until its response; the stated pace is then shared', async () => {
    const [a, b] = pair();
    expect(await a.tryAcquire('api')).toMatchObject({ allowed: true, remaining: Infinity });
    const held = await b.tryAcquire('api');
    expect(held).toMatchObject({ allowed: false, remaining: -1 });
    expect(held.retryAfterMs).toBeGreaterThan(900);
    await a.observe('api', respond(200, { 'RateLimit-Policy': '"api";q=1;w=60' }));
    expect(await b.tryAcquire('api')).toMatchObject({ allowed: true, remaining: 0 });
    const paced = await a.tryAcquire('api');
    expect(paced).toMatchObject({ allowed: false, remaining: -1 });
    expect(paced.retryAfterMs).toBeGreaterThan(59_000);
    // Learned state lives for learn.ttlMs after the response that taught it, in the key's own slot.
    const ttl = await redis.client.pTTL(`${redis.prefix}{api}:learn`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    expect(Number(await redis.client.get(`${redis.prefix}{api}:learn`))).toBe(60_000);
  });

  test("one process's refusal paces the other, and the first one without a stated rate starts from the rate the server took", async () => {
    const [a, b] = pair();
    const changes: unknown[] = [];
    a.onLimitChange((e) => changes.push(e));
    await a.tryAcquire('api');
    await a.observe('api', respond(200));
    for (let i = 0; i < 4; i++) expect((await b.tryAcquire('api')).allowed).toBe(true);
    const { holdMs } = await a.observe('api', respond(429, { 'Retry-After': '2' }));
    expect(holdMs).toBe(2_000);
    const held = await b.tryAcquire('api');
    expect(held.allowed).toBe(false);
    expect(held.retryAfterMs).toBeGreaterThan(1_900);
    // Four units over the spell (a few ms here) and the 2 s asked: about 500 ms a unit.
    expect(changes).toEqual([expect.objectContaining({ key: 'api', reason: 'refusal', intervalMs: expect.any(Number) })]);
    const { intervalMs } = changes[0] as { intervalMs: number };
    expect(intervalMs).toBeGreaterThanOrEqual(500);
    expect(intervalMs).toBeLessThan(600);
  });

  test('a learning limiter with limits checks both in one script', async () => {
    const [a, b] = pair({ limits: { limit: 2, windowMs: 60_000 } });
    await a.tryAcquire('api');
    await a.observe('api', respond(200));
    expect((await b.tryAcquire('api')).allowed).toBe(true);
    expect(await b.tryAcquire('api')).toMatchObject({ allowed: false, remaining: 0 });
    const keys: string[] = [];
    for await (const batch of redis.client.scanIterator({ MATCH: `${redis.prefix}*` })) keys.push(...batch);
    expect(keys.sort()).toEqual([`${redis.prefix}{api}:gcra-2-60000-2`, `${redis.prefix}{api}:learn`, `${redis.prefix}{api}:probe`]);
  });
});
