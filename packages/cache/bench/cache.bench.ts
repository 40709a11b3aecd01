// Our cache against cacheable and cache-manager doing the same work, in memory and on the same Redis.
// REDIS_URL (default redis://127.0.0.1:6379) must answer for the Redis suites.
import { cache, redisCacheStore } from '@bulwark/cache';
import type { BenchSuite } from '@bulwark/test-utils';
import { createCache } from 'cache-manager';
import { Cacheable, Keyv } from 'cacheable';
import { createClient } from 'redis';

const BATCH = 100;
const REDIS_BATCH = 20;
const VALUE = { valid: true, reason: 'deliverable', score: 0.97, checkedAt: '2026-11-24T16:00:00.000Z' };
const load = async () => VALUE;

const loop =
  (n: number, once: () => Promise<unknown>) =>
  async (): Promise<void> => {
    for (let i = 0; i < n; i++) await once();
  };

/**
 * A keyv 5 store over the same node-redis 6 client, for the peers: both peers depend on keyv 5,
 * whose Redis adapter (@keyv/redis 5) would need keyv 5 as our peer too. It is thinner than
 * @keyv/redis (one GET or SET per operation), so it favours them, not us.
 */
interface PlainRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: { PX: number }): Promise<unknown>;
  del(key: string): Promise<number>;
}
function keyv5RedisStore(client: PlainRedis, prefix: string) {
  return {
    namespace: undefined as string | undefined,
    opts: {},
    on: () => undefined,
    get: async (key: string) => (await client.get(prefix + key)) ?? undefined,
    set: async (key: string, value: string, ttl?: number) => {
      await client.set(prefix + key, value, ttl ? { PX: ttl } : undefined);
      return true;
    },
    delete: async (key: string) => (await client.del(prefix + key)) > 0,
    clear: async () => undefined,
  };
}

export default async function suites(): Promise<BenchSuite[]> {
  // In memory.
  const ours = cache({ ttlMs: 3_600_000 });
  const cacheable = new Cacheable({ ttl: 3_600_000 });
  const manager = createCache({ ttl: 3_600_000 });
  await ours.set('k', VALUE);
  await cacheable.set('k', VALUE);
  await manager.set('k', VALUE);

  const memory: BenchSuite[] = [
    {
      suite: 'L1 hit: get',
      cases: [
        { name: '@bulwark/cache get', peer: null, batch: BATCH, fn: loop(BATCH, () => ours.get('k')) },
        { name: 'cacheable get', peer: 'cacheable', batch: BATCH, fn: loop(BATCH, () => cacheable.get('k')) },
        { name: 'cache-manager get', peer: 'cache-manager', batch: BATCH, fn: loop(BATCH, () => manager.get('k')) },
      ],
    },
    {
      suite: 'L1 hit: getOrSet',
      cases: [
        { name: '@bulwark/cache getOrSet', peer: null, batch: BATCH, fn: loop(BATCH, () => ours.getOrSet('k', load)) },
        { name: 'cacheable getOrSet', peer: 'cacheable', batch: BATCH, fn: loop(BATCH, () => cacheable.getOrSet('k', load)) },
        { name: 'cache-manager wrap', peer: 'cache-manager', batch: BATCH, fn: loop(BATCH, () => manager.wrap('k', load)) },
      ],
    },
  ];

  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const client = createClient({ url });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    console.error(`bench: Redis at ${url} is unavailable (${(error as Error).message}); Redis suites skipped.`);
    return memory;
  }
  const prefix = `bulwark-bench:${process.pid}:`;
  const redis = client;
  const store = (p: string) => new Keyv({ store: keyv5RedisStore(client as unknown as PlainRedis, prefix + p) });

  // Two tiers, value in both: what a steady-state read costs with Redis configured.
  const oursTwo = cache({ ttlMs: 3_600_000, store: redisCacheStore({ client: redis, prefix: `${prefix}ours2:` }) });
  const cacheableTwo = new Cacheable({ ttl: 3_600_000, secondary: store('cacheable2:') });
  const managerTwo = createCache({ ttl: 3_600_000, stores: [new Keyv(), store('manager2:')] });
  // Redis alone: every read goes to Redis.
  const oursL2 = cache({ ttlMs: 3_600_000, memory: false, store: redisCacheStore({ client: redis, prefix: `${prefix}ours:` }) });
  const cacheableL2 = new Cacheable({ ttl: 3_600_000, primary: store('cacheable:') });
  const managerL2 = createCache({ ttl: 3_600_000, stores: [store('manager:')] });
  await Promise.all([oursTwo.ready(), oursL2.ready()]);
  await Promise.all([
    oursTwo.getOrSet('k', load),
    cacheableTwo.getOrSet('k', load),
    managerTwo.wrap('k', load),
    oursL2.getOrSet('k', load),
    cacheableL2.getOrSet('k', load),
    managerL2.wrap('k', load),
  ]);

  return [
    ...memory,
    {
      suite: 'getOrSet with Redis L2 (hit in memory)',
      cases: [
        { name: '@bulwark/cache getOrSet (memory + Redis)', peer: null, batch: BATCH, fn: loop(BATCH, () => oursTwo.getOrSet('k', load)) },
        { name: 'cacheable getOrSet (memory + Redis)', peer: 'cacheable', batch: BATCH, fn: loop(BATCH, () => cacheableTwo.getOrSet('k', load)) },
        { name: 'cache-manager wrap (memory + Redis)', peer: 'cache-manager', batch: BATCH, fn: loop(BATCH, () => managerTwo.wrap('k', load)) },
      ],
    },
    {
      suite: 'getOrSet with Redis L2 (read from Redis)',
      cases: [
        { name: '@bulwark/cache getOrSet (Redis only)', peer: null, batch: REDIS_BATCH, fn: loop(REDIS_BATCH, () => oursL2.getOrSet('k', load)) },
        { name: 'cacheable getOrSet (Redis only)', peer: 'cacheable', batch: REDIS_BATCH, fn: loop(REDIS_BATCH, () => cacheableL2.getOrSet('k', load)) },
        { name: 'cache-manager wrap (Redis only)', peer: 'cache-manager', batch: REDIS_BATCH, fn: loop(REDIS_BATCH, () => managerL2.wrap('k', load)) },
      ],
      teardown: async () => {
        await Promise.all([oursTwo.close(), oursL2.close()]);
        const keys: string[] = [];
        for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch);
        if (keys.length > 0) await client.del(keys);
        await client.close();
      },
    },
  ];
}
