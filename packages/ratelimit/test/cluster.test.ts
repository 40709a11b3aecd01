import { startRedisCluster, type PrivateRedisCluster } from '@bulwark/test-utils';
import { createCluster, type RedisClusterType } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rateLimiter, redisRateLimitStore } from '@bulwark/ratelimit';

// A real three-master Redis Cluster of its own: a script whose keys spanned two hash slots would fail
// here with CROSSSLOT, and keys of different callers land on different nodes.
describe('Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let client: RedisClusterType;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) }) as RedisClusterType;
    client.on('error', () => {});
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  });

  const KEYS = Array.from({ length: 24 }, (_, i) => `user:${i}`);

  test('every algorithm decides on every node, with no fallback and no limit exceeded', async () => {
    const limiter = rateLimiter({
      limits: [
        { limit: 5, windowMs: 60_000, burst: 4 },
        { algorithm: 'fixed-window', limit: 3, windowMs: 60_000 },
        { algorithm: 'sliding-window', limit: 6, windowMs: 60_000 },
      ],
      store: redisRateLimitStore({ client, prefix: 'cluster-test:' }),
    });
    for (const key of KEYS) {
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await limiter.tryAcquire(key));
      expect(decisions.map((d) => d.fallback)).toEqual([false, false, false, false, false]);
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    }
    expect(limiter.fallbackDecisions).toBe(0);
    // The keys really were spread over the masters.
    const owners = new Set<string>();
    for (const key of KEYS) {
      const node = client.slots[(await client.sendCommand(`cluster-test:{${key}}:hold`, true, ['CLUSTER', 'KEYSLOT', `{${key}}`])) as number];
      owners.add(node!.master.id);
    }
    expect(owners.size).toBe(3);
  });

  test('server hints hold every process on the cluster, and a node that lost its scripts gets them again', async () => {
    const a = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store: redisRateLimitStore({ client, prefix: 'cluster-hints:' }) });
    const b = rateLimiter({ limits: { limit: 100, windowMs: 1_000 }, store: redisRateLimitStore({ client, prefix: 'cluster-hints:' }) });
    for (const key of KEYS.slice(0, 6)) {
      await a.observe(key, new Response(null, { status: 429, headers: { 'Retry-After': '30' } }));
      const held = await b.tryAcquire(key);
      expect(held).toMatchObject({ allowed: false, fallback: false, remaining: -1 });
      expect(held.retryAfterMs).toBeGreaterThan(29_000);
    }
    await Promise.all(client.masters.map(async (m) => (await client.nodeClient(m)).scriptFlush()));
    for (const key of KEYS.slice(6, 12)) expect(await b.tryAcquire(key)).toMatchObject({ allowed: true, fallback: false });
    expect(a.fallbackDecisions + b.fallbackDecisions).toBe(0);
  });

  test('learning limiters decide, learn and pace on every node, with no fallback', async () => {
    const store = () => redisRateLimitStore({ client, prefix: 'cluster-learn:' });
    const a = rateLimiter({ learn: true, limits: { limit: 100, windowMs: 1_000 }, store: store() });
    const b = rateLimiter({ learn: true, store: store() });
    for (const key of KEYS) {
      expect(await a.tryAcquire(key)).toMatchObject({ allowed: true, fallback: false }); // the first contact
      expect(await b.tryAcquire(key)).toMatchObject({ allowed: false, fallback: false, remaining: -1 });
      await a.observe(key, new Response(null, { headers: { 'RateLimit-Policy': '"default";q=1;w=60' } }));
      expect(await b.tryAcquire(key)).toMatchObject({ allowed: true, fallback: false, remaining: 0 });
      const paced = await a.tryAcquire(key);
      expect(paced).toMatchObject({ allowed: false, fallback: false });
      expect(paced.retryAfterMs).toBeGreaterThan(59_000);
      await b.observe(key, new Response(null, { status: 429 }));
    }
    expect(a.fallbackDecisions + b.fallbackDecisions).toBe(0);
  });
});
