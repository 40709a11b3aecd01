import { MAX_DURATION_MS, createFakeClock, isStoreUnavailableError, type FakeClock, type RedisClient } from '@bulwark/core';
import { deferred, describeRedis, usePrivateRedis, useRedis } from '@bulwark/test-utils';
import type { RedisClientType } from 'redis';
import { describe, expect, test, vi } from 'vitest';
import {
  circuitBreaker,
  redisCircuitStore,
  type CircuitBreakerPolicy,
  type CircuitStoreErrorEvent,
  type RedisCircuitStore,
} from './index.js';

const boom = new Error('down');
const fail = () => Promise.reject(boom);
const ok = () => Promise.resolve('ok');
const BOUND = { timeout: 5_000, interval: 5 };

interface Instance {
  readonly clock: FakeClock;
  readonly store: RedisCircuitStore;
  readonly breaker: CircuitBreakerPolicy;
  readonly errors: CircuitStoreErrorEvent[];
}

function instance(client: RedisClientType, prefix: string, id: string, storeClock?: FakeClock): Instance {
  const clock = createFakeClock();
  const store = redisCircuitStore({
    client,
    prefix,
    instanceId: id,
    quorum: 2,
    syncIntervalMs: 100,
    leaseMs: 5_000,
    ...(storeClock === undefined ? {} : { clock: storeClock }),
  });
  const breaker = circuitBreaker({
    name: 'payments',
    breaker: { kind: 'consecutive', threshold: 1 },
    halfOpenAfterMs: 1_000,
    store,
    clock,
  });
  const errors: CircuitStoreErrorEvent[] = [];
  breaker.onStoreError((e) => errors.push(e));
  return { clock, store, breaker, errors };
}

describeRedis('redisCircuitStore', () => {
  const redis = useRedis();
  /** Ends the shared break as time would: the key stays (half-open for all) with its end in the past. */
  const endBreak = (key: string) => redis.client.set(key, '0', { KEEPTTL: true });
  /** Instances a and c both fail, so the quorum opens the break for all; then the break is over: half-open for all. */
  const sharedBreakOver = async () => {
    const [a, c] = ['a', 'c'].map((id) => instance(redis.client, redis.prefix, id)) as [Instance, Instance];
    const keys = a.store.keys('payments');
    await expect(a.breaker.execute(fail)).rejects.toBe(boom);
    await expect(c.breaker.execute(fail)).rejects.toBe(boom);
    await vi.waitFor(async () => expect(await redis.client.pTTL(keys.open)).toBeGreaterThan(0), BOUND);
    await endBreak(keys.open);
    return { a, c, keys };
  };

  test('one sick instance opens only its own circuit; a quorum opens it for all', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((id) => instance(redis.client, redis.prefix, id));
    const keys = a!.store.keys('payments');

    await expect(a!.breaker.execute(fail)).rejects.toBe(boom);
    expect(a!.breaker.state).toBe('open');
    await vi.waitFor(async () => expect(await redis.client.zCard(keys.votes)).toBe(1), BOUND);
    expect(await redis.client.exists(keys.open)).toBe(0);
    // c syncs and stays closed: one vote is not a quorum.
    await expect(c!.breaker.execute(ok)).resolves.toBe('ok');
    await vi.waitFor(async () => expect(c!.breaker.state).toBe('closed'), BOUND);

    await expect(b!.breaker.execute(fail)).rejects.toBe(boom);
    await vi.waitFor(async () => expect(await redis.client.pTTL(keys.open)).toBeGreaterThan(0), BOUND);
    expect(await redis.client.exists(keys.votes)).toBe(0); // the quorum is spent on this opening

    c!.clock.tick(100); // c's next sync is due
    await expect(c!.breaker.execute(ok)).resolves.toBe('ok'); // the call that syncs is not held up
    await vi.waitFor(() => expect(c!.breaker.state).toBe('open'), BOUND);
    const rejected = await c!.breaker.execute(ok).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ code: 'CIRCUIT_OPEN', state: 'open' });
    expect((rejected as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect((rejected as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1_000);
    expect([a, b, c].flatMap((i) => i!.errors)).toEqual([]);
  });

  test('one probe at a time across instances, through the lease', async () => {
    const { a, c, keys } = await sharedBreakOver();
    a!.clock.tick(1_000);
    c!.clock.tick(1_000);

    const probe = deferred<string>();
    const probing = a!.breaker.execute(() => probe.promise);
    await vi.waitFor(async () => expect(await redis.client.get(keys.lease)).toMatch(/^a:/), BOUND);
    let cCalled = false;
    await expect(c!.breaker.execute(() => (cCalled = true))).rejects.toMatchObject({ state: 'half-open' });
    expect(cCalled).toBe(false);

    probe.resolve('back');
    await expect(probing).resolves.toBe('back');
    expect(a!.breaker.state).toBe('closed');
    await vi.waitFor(async () => expect(await redis.client.exists(keys.lease)).toBe(0), BOUND);

    c!.clock.tick(100); // c stops backing off the lease
    await expect(c!.breaker.execute(ok)).resolves.toBe('ok');
    expect(c!.breaker.state).toBe('closed');
  });

  test('a failed probe on a shared break reopens it for all', async () => {
    const { a, c, keys } = await sharedBreakOver();
    a!.clock.tick(1_000);
    await expect(a!.breaker.execute(fail)).rejects.toBe(boom);
    expect(a!.breaker.state).toBe('open');
    await vi.waitFor(async () => expect(Number(await redis.client.get(keys.open))).toBeGreaterThan(0), BOUND);
    // c, whose local break is over, learns it when it asks for the lease.
    c!.clock.tick(1_000);
    await expect(c!.breaker.execute(ok)).rejects.toMatchObject({ state: 'open' });
    expect(c!.breaker.state).toBe('open');
  });

  test('an instance takes over a lease it left behind, but not another instance’s', async () => {
    const { a, c, keys } = await sharedBreakOver();
    await redis.client.set(keys.lease, 'a:999', { PX: 60_000 }); // a crashed mid-probe, say
    c!.clock.tick(1_000);
    await expect(c!.breaker.execute(ok)).rejects.toMatchObject({ state: 'half-open' });
    a!.clock.tick(1_000);
    await expect(a!.breaker.execute(ok)).resolves.toBe('ok');
    expect(a!.breaker.state).toBe('closed');
    await vi.waitFor(async () => expect(await redis.client.exists(keys.lease)).toBe(0), BOUND);
  });

  test('an instance id that starts with another never passes for it: one probe lease between them', async () => {
    // 'web' must not take over the lease of 'web:2' (nor 'host-a' that of 'host-a:4242'), though
    // the one's tokens start with the other's id and a colon.
    for (const [first, second] of [['web:2', 'web'], ['host-a:4242', 'host-a'], ['web', 'web:2']] as const) {
      const name = `probe-${first}-${second}`;
      const one = redisCircuitStore({ client: redis.client, prefix: redis.prefix, instanceId: first }).bind(name);
      const other = redisCircuitStore({ client: redis.client, prefix: redis.prefix, instanceId: second }).bind(name);
      expect(await one.acquire()).toEqual({ kind: 'probe', shared: false });
      const answer = await other.acquire();
      expect(answer.kind).toBe('busy');
      await one.release('abandon', 0);
      expect(await other.acquire()).toEqual({ kind: 'probe', shared: false });
      await other.release('closed', 0);
    }
  });

  test('scripts go through the client\'s view without node-redis\'s per-command timer (the store has its deadline)', async () => {
    const asked: object[] = [];
    const client = Object.assign(Object.create(redis.client) as RedisClientType, {
      withCommandOptions: (options: object) => {
        asked.push(options);
        return redis.client.withCommandOptions(options as never);
      },
    });
    const a = instance(client, redis.prefix, 'a');
    expect(asked).toEqual([{ timeout: 0 }]);
    await expect(a.breaker.execute(fail)).rejects.toBe(boom);
    await vi.waitFor(async () => expect(await redis.client.zCard(a.store.keys('payments').votes)).toBe(1), BOUND);
    expect(a.errors).toEqual([]);
  });

  test('every key it writes expires', async () => {
    const [a, b] = ['a', 'b'].map((id) => instance(redis.client, redis.prefix, id));
    await expect(a!.breaker.execute(fail)).rejects.toBe(boom);
    const keys = a!.store.keys('payments');
    await vi.waitFor(async () => expect(await redis.client.pTTL(keys.votes)).toBeGreaterThan(0), BOUND);
    await expect(b!.breaker.execute(fail)).rejects.toBe(boom);
    await vi.waitFor(async () => expect(await redis.client.pTTL(keys.open)).toBeGreaterThan(0), BOUND);
    await endBreak(keys.open);
    a!.clock.tick(1_000);
    const probe = deferred<string>();
    const probing = a!.breaker.execute(() => probe.promise);
    await vi.waitFor(async () => expect(await redis.client.pTTL(keys.lease)).toBeGreaterThan(0), BOUND);
    probe.resolve('x');
    await probing;
    for await (const batch of redis.client.scanIterator({ MATCH: `${redis.prefix}*` })) {
      for (const key of batch) expect(await redis.client.pTTL(key)).toBeGreaterThan(0);
    }
  });
});

describeRedis('redisCircuitStore with very long durations', () => {
  const redis = useRedis();

  test('a break longer than Redis keeps (halfOpenAfterMs 1e17) still opens the circuit for all, cut to 100 years', async () => {
    const store = redisCircuitStore({ client: redis.client, prefix: redis.prefix, quorum: 1 });
    const breaker = circuitBreaker({
      name: 'payments',
      breaker: { kind: 'consecutive', threshold: 1 },
      halfOpenAfterMs: 1e17,
      store,
      clock: createFakeClock(),
    });
    const errors: CircuitStoreErrorEvent[] = [];
    breaker.onStoreError((e) => errors.push(e));
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    const keys = store.keys('payments');
    await vi.waitFor(async () => expect(await redis.client.pTTL(keys.open)).toBeGreaterThan(3_155_000_000_000), BOUND);
    expect(errors).toEqual([]);
  });

  test.each([
    ['voteWindowMs', { voteWindowMs: 1e20 }],
    ['leaseMs', { leaseMs: 1e20 }],
  ])('%s beyond 100 years is refused when the store is made (Redis would refuse every vote)', (field, options) => {
    expect(() => redisCircuitStore({ client: redis.client, ...options })).toThrow(
      new TypeError(`Expected \`${field}\` to be a number from 1 to 3_155_760_000_000 (100 years, the longest duration the Redis store keeps exactly), got 100000000000000000000.`),
    );
    expect(() => redisCircuitStore({ client: redis.client, [field]: MAX_DURATION_MS + 1 })).toThrow(`to be a number from 1 to 3_155_760_000_000 (100 years`);
  });
});

describeRedis('redisCircuitStore when Redis fails', () => {
  const redis = usePrivateRedis();

  test('a slow Redis delays only the probe, by at most timeoutMs; then local state decides', async () => {
    const { client } = redis;
    const storeClock = createFakeClock();
    const a = instance(client, 'slow:', 'a', storeClock);
    const pauser = client.duplicate();
    pauser.on('error', () => {});
    await pauser.connect();
    await expect(a.breaker.execute(fail)).rejects.toBe(boom);
    await vi.waitFor(async () => expect(await pauser.zCard(a.store.keys('payments').votes)).toBe(1), BOUND); // the vote is done
    await pauser.sendCommand(['CLIENT', 'PAUSE', '500', 'ALL']);

    a.clock.tick(1_000);
    let probed = false;
    const probing = a.breaker.execute(async () => {
      probed = true;
      return 'ok';
    });
    // The request for the lease is sent, under the store's one deadline timer.
    expect(storeClock.pendingTimers).toBe(1);
    await Promise.resolve();
    expect(probed).toBe(false);
    await storeClock.tickAsync(250);
    await expect(probing).resolves.toBe('ok');
    expect(probed).toBe(true);
    expect(a.breaker.state).toBe('closed');
    expect(a.errors.map((e) => e.operation)).toContain('acquire');
    expect(isStoreUnavailableError(a.errors[0]!.error)).toBe(true);
    expect(a.errors[0]!.name).toBe('payments');
    expect(String(a.errors[0]!.error)).toContain('did not answer within 250 ms');
    // When Redis wakes up, the lease it grants too late is handed straight back, not left to expire.
    const lease = a.store.keys('payments').lease;
    await vi.waitFor(async () => {
      await storeClock.tickAsync(0);
      expect(await pauser.exists(lease)).toBe(0);
      expect(await pauser.get(a.store.keys('payments').open)).toBeNull();
    }, { timeout: 2_500, interval: 20 }); // well before the lease would expire (5 s)
    pauser.destroy();
  });

  test('with Redis killed mid-run no call hangs, the breaker works on local state and says so', async () => {
    const { client, server } = redis;
    const a = instance(client, 'dead:', 'a');
    await expect(a.breaker.execute(ok)).resolves.toBe('ok');
    await server.kill();
    await vi.waitFor(() => expect(client.isReady).toBe(false), BOUND);

    // Every call settles without anyone moving time: nothing waits for Redis.
    await expect(a.breaker.execute(ok)).resolves.toBe('ok');
    await expect(a.breaker.execute(fail)).rejects.toBe(boom);
    expect(a.breaker.state).toBe('open');
    await expect(a.breaker.execute(ok)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    a.clock.tick(1_000);
    await expect(a.breaker.execute(ok)).resolves.toBe('ok'); // the probe goes ahead without a lease
    expect(a.breaker.state).toBe('closed');
    for (let i = 0; i < 50; i++) await a.breaker.execute(ok);
    const operations = new Set(a.errors.map((e) => e.operation));
    expect([...operations]).toEqual(expect.arrayContaining(['vote', 'acquire']));
    expect(a.errors.some((e) => String(e.error).includes('not connected'))).toBe(true);

    // Once Redis is back, the breaker uses it again.
    await server.start();
    await vi.waitFor(() => expect(client.isReady).toBe(true), BOUND);
    await expect(a.breaker.execute(fail)).rejects.toBe(boom);
    await vi.waitFor(async () => expect(await client.zCard(a.store.keys('payments').votes)).toBe(1), BOUND);
  });
});

describe('shared state errors are never thrown at the caller', () => {
  test('a store that rejects everything leaves a working local breaker', async () => {
    const clock = createFakeClock();
    const noScript = () => Promise.reject(new Error('NOSCRIPT nope'));
    const client = { isReady: true, evalSha: noScript, eval: noScript } as unknown as RedisClient;
    const breaker = circuitBreaker({
      name: 'x',
      breaker: { kind: 'consecutive', threshold: 1 },
      halfOpenAfterMs: 10,
      clock,
      store: redisCircuitStore({ client, clock, syncIntervalMs: 0 }),
    });
    const errors: string[] = [];
    breaker.onStoreError((e) => errors.push(`${e.operation}: ${e.error.message}`));
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await expect(breaker.execute(fail)).rejects.toBe(boom);
    clock.tick(10);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(errors[0]).toBe('sync: The store (redisCircuitStore) could not sync: the call failed with Error.');
    expect(errors.map((e) => e.split(':')[0])).toEqual(expect.arrayContaining(['sync', 'vote', 'acquire']));
  });
});
