// A private redis-server killed mid-run and started again: no call hangs, memory keeps serving,
// the Redis tier comes back on its own.
import { usePrivateRedis } from '@bulwark/test-utils';
import { describe, expect, test } from 'vitest';
import { cache, isCacheInvalidationError, redisCacheStore } from '@bulwark/cache';

/** Rejects if `promise` has not settled within `ms` of real time: the test's definition of a hang. */
function noHang<T>(promise: Promise<T>, ms = 3_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the call did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
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
        store: redisCacheStore({ client: client, timeoutMs: 200, guard: { failureThreshold: 3, cooldownMs: 100 } }),
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
    expect(isCacheInvalidationError(error)).toBe(true);
    expect(storeErrors.length).toBeGreaterThan(0);

    // Back again: the client reconnects by itself and the tier is used once the guard lets a probe through.
    expect(a.peek('new')).toMatch(/^new:/);
    await server.start();
    await eventually(() => client.isReady);
    // Announcements sent while the subscription was down are lost, so memory starts over once it is back.
    await eventually(() => a.peek('new') === undefined);
    await eventually(async () => {
      await a.set('after', 'restart');
      return (await client.get('bulwark:cache:{after}')) !== null;
    });
    const b = make();
    let bLoads = 0;
    expect(await noHang(b.getOrSet('after', async () => ++bLoads))).toBe('restart');
    expect(bLoads).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });
});
