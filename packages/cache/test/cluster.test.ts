// A real Redis Cluster of three masters on private loopback ports: the cache works on it through a
// node-redis Cluster client, invalidations reach another instance, and Redis refuses nothing.
import { spawnSync } from 'node:child_process';
import { startRedisCluster, type PrivateRedisCluster } from '@bulwark/test-utils';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cache, redisCacheStore, type Cache } from '@bulwark/cache';

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a real 3-master Redis Cluster', () => {
  let nodes: PrivateRedisCluster;
  let ports: number[] = [];
  let cluster: ReturnType<typeof createCluster>;
  const open: Cache[] = [];

  beforeAll(async () => {
    nodes = await startRedisCluster();
    ports = nodes.nodes.map((n) => n.port);
    cluster = createCluster({ rootNodes: [{ url: nodes.urls[0]! }] });
    cluster.on('error', () => {});
    await cluster.connect();
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.close()));
    await cluster?.close().catch(() => {});
    await nodes?.stop();
  });

  test('getOrSet, get, set, tags, invalidation and leases across masters, with no error from Redis', async () => {
    const make = async (memory: boolean) => {
      const c = cache({ memory, ttlJitter: 0, earlyRefreshBeta: 0, store: redisCacheStore({ client: cluster, prefix: 'cl:', leasePollMs: 5, timeoutMs: 1_000 }) });
      open.push(c);
      await c.ready();
      return c;
    };
    const a = await make(true);
    const b = await make(false);
    const errors: string[] = [];
    for (const c of [a, b]) c.onStoreError((e) => errors.push(`${e.operation}: ${e.error.message}`));

    // Keys spread over the three masters, tags and namespace counter on others still.
    const keys = Array.from({ length: 12 }, (_, i) => `user:${i}`).concat(['{', '}x', 'a{b}']);
    for (const key of keys) {
      expect(await a.getOrSet(key, async () => `${key}#1`, { tags: ['team:1', `k:${key}`] })).toBe(`${key}#1`);
      expect(await b.getOrSet(key, async () => 'unused', { tags: ['team:1'] })).toBe(`${key}#1`);
      expect(await b.get(key)).toBe(`${key}#1`);
    }
    // The entries really are spread over the masters.
    const holding = ports.filter((p) => Number(spawnSync('redis-cli', ['-p', String(p), 'dbsize'], { encoding: 'utf8' }).stdout.trim()) > 0);
    expect(holding).toHaveLength(3);

    await a.delete('user:1');
    expect(await b.get('user:1')).toBeUndefined();
    await a.invalidateTag('team:1');
    await eventually(async () => (await b.get('user:2')) === undefined, 'the tag invalidation reaches b');
    await eventually(() => a.peek('user:3') === undefined, 'and a’s memory');
    await a.set('gen', 1);
    expect(await b.get('gen')).toBe(1);
    await b.bumpNamespace();
    await eventually(async () => (await b.get('gen')) === undefined && a.peek('gen') === undefined, 'the namespace bump reaches both');

    // A contended lease: one load across the two instances.
    let loads = 0;
    let release!: (v: string) => void;
    const gate = new Promise<string>((r) => (release = r));
    const first = a.getOrSet('leased', () => {
      loads++;
      return gate;
    });
    const second = b.getOrSet('leased', async () => {
      loads++;
      return 'second';
    });
    await new Promise((r) => setTimeout(r, 50));
    release('first');
    expect(await Promise.all([first, second])).toEqual(['first', 'first']);
    expect(loads).toBe(1);
    expect(errors).toEqual([]);
  }, 60_000);
});
