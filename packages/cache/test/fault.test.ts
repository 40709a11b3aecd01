// A private redis-server killed mid-run and started again: no call hangs, memory keeps serving,
// the Redis tier comes back on its own.
import { createFakeClock, eventually, usePrivateRedis } from '@bulwark/test-utils';
import type { RedisClientType } from 'redis';
import { describe, expect, test, vi } from 'vitest';
import { cache, isCacheInvalidationIncompleteError, redisCacheStore, type Cache } from '@bulwark/cache';

/** Rejects if `promise` has not settled within `ms` of real time: the test's definition of a hang. */
function noHang<T>(promise: Promise<T>, ms = 3_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the call did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

// Its own redis-server, so it runs whether or not the shared one is there.
describe('Redis killed mid-run', () => {
  const redis = usePrivateRedis();

  test('no call hangs, L1 keeps serving, and Redis is used again once it is back', async () => {
    const { client, server } = redis;
    const make = () =>
      cache({
        ttlJitter: 0,
        earlyRefreshBeta: 0,
        store: redisCacheStore({ client: client, timeoutMs: 200, guard: { threshold: 3, halfOpenAfterMs: 100 } }),
      });
    const a = make();
    const storeErrors: string[] = [];
    a.onStoreError((e) => storeErrors.push(e.operation));
    await a.ready();
    let loads = 0;
    const loader = async ({ key }: { key: string }) => `${key}:${++loads}`;
    expect(await a.getOrSet('warm', loader)).toBe('warm:1');

    // Calls in flight while the server dies.
    const inFlight = Array.from({ length: 20 }, (_, i) => a.getOrSet(`k${i % 5}`, loader));
    await server.kill();
    const settled = await noHang(Promise.allSettled(inFlight));
    expect(settled.every((r) => r.status === 'fulfilled')).toBe(true);

    // While it is down: memory serves, misses load, reads answer, invalidations say they are partial.
    for (let i = 0; i < 10; i++) {
      expect(await noHang(a.getOrSet('warm', loader))).toBe('warm:1');
      expect(await noHang(a.get(`absent${i}`))).toBeUndefined();
    }
    expect(await noHang(a.getOrSet('new', loader))).toMatch(/^new:/);
    const error = await noHang(a.delete('warm').catch((e: unknown) => e));
    expect(isCacheInvalidationIncompleteError(error)).toBe(true);
    expect(storeErrors.length).toBeGreaterThan(0);

    // Back again: the client reconnects by itself and the tier is used once the guard lets a probe through.
    expect(a.peek('new')).toMatch(/^new:/);
    await server.start();
    await eventually(() => client.isReady, { timeoutMs: 10_000 });
    // Announcements sent while the subscription was down are lost, so memory starts over once it is back.
    await eventually(() => a.peek('new') === undefined, { timeoutMs: 10_000 });
    await eventually(async () => {
      await a.set('after', 'restart');
      return (await client.get('bulwark:cache:{after}')) !== null;
    }, { timeoutMs: 10_000 });
    const b = make();
    let bLoads = 0;
    expect(await noHang(b.getOrSet('after', async () => ++bLoads))).toBe('restart');
    expect(bLoads).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });
});

// A cache started while its Redis is down: its invalidation subscription comes with Redis.
describe('Redis down at the start', () => {
  const redis = usePrivateRedis();

  /** Whether `a` drops a key another instance deletes: it hears the invalidation channel. */
  const hears = async (a: Cache, b: Cache): Promise<boolean> => {
    await a.set('watched', 'v');
    if (!(await b.delete('watched').then(() => true, () => false))) return false;
    return eventually(() => a.peek('watched') === undefined, { timeoutMs: 300 }).then(
      () => true,
      () => false,
    );
  };

  test('the subscription is made when Redis comes, and invalidations from other instances are heard', async () => {
    const { client, server } = redis;
    await server.stop();
    // The cache's clock bounds the subscription's start: on it, the first attempt gives up at once.
    const clock = createFakeClock();
    const a = cache({ clock, store: redisCacheStore({ client, timeoutMs: 200 }) });
    await clock.tickAsync(5_000);
    await noHang(a.ready());

    await server.start();
    await eventually(() => redis.client.isReady, { what: 'the client reconnected' });
    const b = cache({ store: redisCacheStore({ client, timeoutMs: 200 }) });
    await b.ready();
    await eventually(() => hears(a, b), { timeoutMs: 10_000, what: 'the cache started without Redis heard an invalidation' });
    await Promise.all([a.close(), b.close()]);
  });

  test('a failing subscription is one storeError per outage, however often its connection retries', async () => {
    const { client, server } = redis;
    const duplicate = vi.spyOn(client, 'duplicate');
    try {
      await server.stop();
      const a = cache({ store: redisCacheStore({ client, timeoutMs: 200 }) });
      const subscriber = duplicate.mock.results[0]!.value as RedisClientType;
      let attempts = 0;
      subscriber.on('error', () => attempts++);
      const failures: string[] = [];
      a.onStoreError((e) => {
        if (e.operation === 'subscribe') failures.push(e.error.message);
      });
      await eventually(() => attempts >= 5, { what: 'the subscriber tried to connect 5 times' });
      expect(failures).toHaveLength(1);

      await server.start();
      await eventually(() => client.isReady, { what: 'the client reconnected' });
      const b = cache({ store: redisCacheStore({ client, timeoutMs: 200 }) });
      await b.ready();
      await eventually(() => hears(a, b), { timeoutMs: 10_000, what: 'the subscription is back' });
      await b.close();

      // A second outage is reported again, once.
      await server.stop();
      const before = attempts;
      await eventually(() => attempts >= before + 5, { what: 'the subscriber tried to reconnect 5 times' });
      expect(failures).toHaveLength(2);
      await a.close();
      await server.start();
    } finally {
      duplicate.mockRestore();
    }
  });

  test('close() does not wait for a subscription that has not come: it stops trying at once', async () => {
    const { client, server } = redis;
    const duplicate = vi.spyOn(client, 'duplicate');
    try {
      await server.stop();
      // On a clock that never moves, the first attempt never gives up by itself.
      const a = cache({ clock: createFakeClock(), store: redisCacheStore({ client, timeoutMs: 200 }) });
      const subscriber = duplicate.mock.results[0]!.value as RedisClientType;
      const failures: string[] = [];
      a.onStoreError((e) => failures.push(e.operation));
      await eventually(() => failures.length > 0, { what: 'the subscription failed' });
      await noHang(a.close(), 1_000);
      await noHang(a.ready(), 1_000);
      expect(subscriber.isOpen).toBe(false);
      expect(failures).toEqual(['subscribe']);
    } finally {
      duplicate.mockRestore();
      await server.start();
    }
  });
});
