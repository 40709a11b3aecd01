import { MAX_DURATION_MS, createFakeClock, isStoreUnavailableError, type BulwarkError, type Policy, type RedisClient } from '@bulwark/core';
import { deferred, describeRedis, eventually, useRedis } from '@bulwark/test-utils';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import {
  cache,
  isCacheClosedError,
  isCacheIntegrityError,
  isCacheInvalidationIncompleteError,
  redisCacheStore,
  type Cache,
  type CacheHitEvent,
  type CacheOptions,
  type RedisCacheStoreOptions,
} from './index.js';

/** Polls `check` on real time until it holds, for at most `ms`. */
describeRedis('Redis tier', () => {
  const redis = useRedis();
  const open: Cache[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  const make = async (options: CacheOptions = {}, redisOptions: Partial<RedisCacheStoreOptions> = {}) => {
    const c = cache({
      ttlJitter: 0,
      earlyRefreshBeta: 0,
      ...options,
      store: redisCacheStore({ client: redis.client, prefix: redis.prefix, ...redisOptions }),
    });
    open.push(c);
    await c.ready();
    return c;
  };

  test('a node-redis 6 client type-checks as the client option', () => {
    const options: RedisCacheStoreOptions = { client: redis.client };
    expect(options.client).toBe(redis.client);
  });

  test('the longest windows a cache takes are ones Redis keeps; longer ones are refused at construction', async () => {
    const longest = MAX_DURATION_MS; // core's bound: 100 years
    const c = await make({ ttlMs: longest, staleWhileRevalidateMs: longest, staleIfErrorMs: longest });
    const errors: unknown[] = [];
    c.onStoreError(({ error }) => errors.push(error));
    await c.set('k', 1);
    expect(await redis.client.pTTL(`${redis.prefix}{k}`)).toBeGreaterThan(2 * longest - 60_000); // freshness, then the longer stale window;
    expect(errors).toEqual([]);
    // Past it, Redis refused every write ("value is not an integer or out of range") while memory worked.
    expect(() => cache({ ttlMs: longest + 1 })).toThrow(/`ttlMs` to be a number above 0 and at most 3_155_760_000_000 \(100 years/);
    expect(() => redisCacheStore({ client: redis.client, leaseMs: 1e20 })).toThrow(/`leaseMs` to be an integer from 1 to 3_155_760_000_000 \(100 years/);
  });

  test('a value loaded by one instance is an L2 hit for another', async () => {
    const a = await make();
    const b = await make();
    const hits: CacheHitEvent[] = [];
    b.onHit((e) => hits.push(e));
    expect(await a.getOrSet('k', async () => ({ ok: true }))).toEqual({ ok: true });
    expect(await b.getOrSet('k', async () => ({ ok: false }))).toEqual({ ok: true });
    expect(await b.getOrSet('k', async () => ({ ok: false }))).toEqual({ ok: true });
    expect(hits.map((h) => h.tier)).toEqual(['l2', 'l1']);
  });

  test('bad input writes nothing to Redis either', async () => {
    const c = await make();
    await expect(c.set('k', { at: new Date() })).rejects.toThrow(/an object of type Date at \$\.at/);
    await expect(c.getOrSet('k', async () => 1n)).rejects.toThrow(/a bigint at \$/);
    await expect(c.set('k', 1, { ttlMs: -1 })).rejects.toThrow(/`ttlMs`/);
    await expect(c.set(7 as never, 1)).rejects.toThrow(/`key`/);
    expect(await redis.client.keys(`${redis.prefix}*`)).toEqual([]);
  });

  test('a closed cache refuses invalidations as closed, not as Redis unreachable, and writes nothing', async () => {
    const c = await make({ name: 'users' });
    await c.set('k', 1);
    const keys = (await redis.client.keys(`${redis.prefix}*`)).sort();
    await c.close();
    for (const invalidate of [() => c.delete('k'), () => c.invalidateTag('t'), () => c.bumpNamespace()]) {
      const error = await invalidate().then(() => undefined, (e: unknown) => e);
      expect(isCacheClosedError(error)).toBe(true);
      expect(isCacheInvalidationIncompleteError(error)).toBe(false);
      expect((error as Error).message).toMatch(/^The cache "users" is closed: \w+\(\) was called after close\(\)/);
    }
    await expect(c.getOrSet('k', async () => 2)).rejects.toThrow(/is closed/);
    expect((await redis.client.keys(`${redis.prefix}*`)).sort()).toEqual(keys);
    await c.close(); // twice: harmless
  });

  test('memory: false keeps Redis alone', async () => {
    const c = await make({ memory: false });
    let calls = 0;
    expect(await c.getOrSet('k', async () => ++calls)).toBe(1);
    expect(await c.getOrSet('k', async () => ++calls)).toBe(1);
    expect(await c.get('k')).toBe(1);
    expect(c.peek('k')).toBeUndefined();
    expect(c.stats()).toMatchObject({ l2Hits: 2, loads: 1 });
  });

  test('a lease: of two instances missing at once, one loads and the other reads its result', async () => {
    const a = await make();
    const b = await make();
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const pa = a.getOrSet('k', loader);
    const pb = b.getOrSet('k', loader);
    await eventually(() => calls === 1);
    gate.resolve('v');
    expect(await Promise.all([pa, pb])).toEqual(['v', 'v']);
    expect(calls).toBe(1);
  });

  test('a lease holder that never finishes delays the others by leaseWaitMs at most', async () => {
    const a = await make();
    const b = await make({}, { leaseWaitMs: 100 });
    const never = deferred<string>();
    void a.getOrSet('k', () => never.promise).catch(() => {});
    await eventually(async () => (await redis.client.exists(`${redis.prefix}{k}:l`)) === 1);
    expect(await b.getOrSet('k', async () => 'b loaded it')).toBe('b loaded it');
    never.resolve('late');
  });

  test('invalidation by key, tag and namespace reaches every instance through pub/sub', async () => {
    const a = await make();
    const b = await make();
    await a.set('k', 1);
    await a.set('t', 2, { tags: ['user:1'] });
    await a.set('n', 3);
    for (const key of ['k', 't', 'n']) await b.getOrSet(key, async () => -1);
    expect([b.peek('k'), b.peek('t'), b.peek('n')]).toEqual([1, 2, 3]);

    await a.delete('k');
    await eventually(() => b.peek('k') === undefined);
    expect(b.peek('t')).toBe(2);
    await a.invalidateTag('user:1');
    await eventually(() => b.peek('t') === undefined);
    expect(b.peek('n')).toBe(3);
    await a.bumpNamespace();
    await eventually(() => b.peek('n') === undefined);
    // And Redis no longer answers with the old values either.
    for (const key of ['k', 't', 'n']) expect(await b.get(key)).toBeUndefined();
  });

  test('an old value cannot come back: a late write, or an entry from before an invalidation, reads as absent', async () => {
    const a = await make();
    const b = await make({ memory: false });
    const gate = deferred<string>();
    const slow = a.getOrSet('k', () => gate.promise); // read versions, then loads slowly
    await eventually(async () => (await redis.client.exists(`${redis.prefix}{k}:l`)) === 1);
    await b.delete('k');
    gate.resolve('old');
    expect(await slow).toBe('old'); // its own caller gets what it asked for...
    expect(await b.get('k')).toBeUndefined(); // ...but nobody reads it afterwards
    expect(await b.getOrSet('k', async () => 'new')).toBe('new');
  });

  test('versions are taken from memory only while the subscription is up: an announcement missed while it was down never serves an invalidated value', async () => {
    const subscriber = await redis.connect();
    const id = await subscriber.clientId();
    const b = await make({ memory: false }, { subscriber: subscriber });
    await b.set('k', 'old', { tags: ['t'] });
    expect(await b.get('k')).toBe('old'); // the versions are in memory from here on
    expect(await b.get('k')).toBe('old');

    const down = new Promise((resolve) => subscriber.once('reconnecting', resolve));
    await redis.client.clientKill({ filter: 'ID', id });
    await down;
    // An invalidation whose announcement this instance cannot hear: the tag's counter moves on in
    // Redis without a message reaching it.
    await redis.client.incr(`${redis.prefix}t:{t}`);
    expect(await b.get('k')).toBeUndefined();
    // Subscribed again: memory vouches for versions once more, read afresh.
    await eventually(() => subscriber.isReady);
    await b.set('k', 'again', { tags: ['t'] });
    expect(await b.get('k')).toBe('again');
    expect(await b.get('k')).toBe('again');
  });

  test('a counter that expired in Redis is made again at the version of the entry written next', async () => {
    const a = await make({ memory: false });
    let loads = 0;
    const loader = async () => `v${++loads}`;
    await a.delete('k'); // a remembers the key's version from here on
    const version = await redis.client.get(`${redis.prefix}{k}:v`);
    expect(await a.getOrSet('k', loader)).toBe('v1');
    expect(await redis.client.pTTL(`${redis.prefix}{k}:v`)).toBeGreaterThan(86_000_000); // the counter expires
    // The entry and its counter both expire; a writes again under the version it remembers.
    await redis.client.del([`${redis.prefix}{k}`, `${redis.prefix}{k}:v`]);
    expect(await a.getOrSet('k', loader)).toBe('v2');
    expect(await redis.client.get(`${redis.prefix}{k}:v`)).toBe(version);
    const fresh = await make({ memory: false });
    expect(await fresh.getOrSet('k', loader)).toBe('v2');
    expect(loads).toBe(2);
  });

  test('an entry that disagrees with a remembered version makes the read look at Redis again, not load', async () => {
    const a = await make({ memory: false });
    let loads = 0;
    const loader = async () => `v${++loads}`;
    await a.delete('k'); // a remembers the key's version from here on
    expect(await a.getOrSet('k', loader)).toBe('v1');
    // Redis lost the entry and its counter; an instance that never heard of the old version writes
    // again under a counter of 0.
    await redis.client.del([`${redis.prefix}{k}`, `${redis.prefix}{k}:v`]);
    const fresh = await make({ memory: false });
    expect(await fresh.getOrSet('k', loader)).toBe('v2');
    expect(await redis.client.get(`${redis.prefix}{k}:v`)).toBe('0');
    expect(await a.getOrSet('k', loader)).toBe('v2');
    expect(await a.get('k')).toBe('v2');
    expect(loads).toBe(2);
  });

  test('a late or replayed announcement never drops a newer value from memory', async () => {
    const a = await make();
    const channel = `${redis.prefix}invalidations`;
    // Announcements arrive in order: once `marker` is dropped, everything published before it was seen.
    const settle = async (version: number) => {
      await a.set('marker', version);
      await redis.client.publish(channel, `${version}\nk\nelsewhere\nmarker`);
      await eventually(() => a.peek('marker') === undefined);
    };
    await a.delete('k');
    const version = Number(await redis.client.get(`${redis.prefix}{k}:v`));
    await a.set('k', 'v2'); // computed under that version
    await redis.client.publish(channel, `${version}\nk\nelsewhere\nk`); // a replay of it
    await settle(1_000);
    expect(a.peek('k')).toBe('v2');
    await redis.client.publish(channel, `${version + 1}\nk\nelsewhere\nk`); // a genuinely newer one
    await settle(1_001);
    expect(a.peek('k')).toBeUndefined();
  });

  test('stale-while-revalidate from Redis: the stale value is served and one instance refreshes', async () => {
    const clock = createFakeClock({ now: Date.now() });
    const a = await make({ clock, ttlMs: 1_000, staleWhileRevalidateMs: 10_000, memory: false });
    let calls = 0;
    await a.getOrSet('k', async () => `v${++calls}`);
    clock.tick(2_000);
    expect(await a.getOrSet('k', async () => `v${++calls}`)).toBe('v1');
    await eventually(async () => (await a.get('k')) === 'v2');
    expect(calls).toBe(2);
  });
});

describeRedis('sealing', () => {
  const redis = useRedis();
  const key = (id: string) => ({ id, key: randomBytes(32) });
  const k1 = key('k1');
  const k2 = key('k2');
  const make = (keys: { id: string; key: Uint8Array }[] | undefined, memory = false) => {
    const c = cache({
      memory,
      ttlJitter: 0,
      earlyRefreshBeta: 0,
      store: redisCacheStore({ client: redis.client, prefix: redis.prefix }),
      ...(keys ? { sealing: { keys } } : {}),
    });
    return c;
  };
  const raw = () => redis.client.get(`${redis.prefix}{secret}`);

  test('values are sealed at rest and open with the same key', async () => {
    const a = make([k1]);
    const b = make([k1]);
    await a.set('secret', { token: 'plain-text-token' });
    const stored = await raw();
    expect(stored).toMatch(/^s1:k1:/);
    expect(stored).not.toContain('plain-text-token');
    expect(await b.get('secret')).toEqual({ token: 'plain-text-token' });
    await Promise.all([a.close(), b.close()]);
  });

  test('rotation: the new key seals, the old key still opens, without a flush', async () => {
    const before = make([k1]);
    await before.set('secret', 'old-era');
    const after = make([k2, k1]);
    expect(await after.get('secret')).toBe('old-era');
    await after.set('secret', 'new-era');
    expect(await raw()).toMatch(/^s1:k2:/);
    // Rotating a running cache in place.
    before.setSealingKeys([k2, k1]);
    expect(await before.get('secret')).toBe('new-era');
    await Promise.all([before.close(), after.close()]);
  });

  test('dropping a key from the ring stops its values opening, even ones read a moment ago', async () => {
    const c = make([k1]);
    const errors: BulwarkError[] = [];
    c.onStoreError((e) => errors.push(e.error));
    await c.set('secret', 'sealed under k1');
    expect(await c.get('secret')).toBe('sealed under k1');
    c.setSealingKeys([k2]);
    expect(await c.get('secret')).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/key id "k1", which this cache does not hold/)]);
    await c.close();
  });

  test('a tampered, foreign or unsealed value is a miss and an event, never a crash', async () => {
    const c = make([k1]);
    const errors: BulwarkError[] = [];
    c.onStoreError((e) => errors.push(e.error));
    await c.set('secret', 'v');
    const stored = (await raw())!;
    const body = Buffer.from(stored.slice('s1:k1:'.length), 'base64');
    body[body.length - 1]! ^= 1;
    await redis.client.set(`${redis.prefix}{secret}`, `s1:k1:${body.toString('base64')}`);
    expect(await c.get('secret')).toBeUndefined();
    expect(await c.getOrSet('secret', async () => 'reloaded')).toBe('reloaded');

    await make([k2]).set('secret', 'other key');
    expect(await c.get('secret')).toBeUndefined();
    await make(undefined).set('secret', 'unsealed');
    expect(await c.get('secret')).toBeUndefined();
    const plain = make(undefined);
    plain.onStoreError((e) => errors.push(e.error));
    await redis.client.set(`${redis.prefix}{secret}`, '{"not":"an entry"}');
    expect(await plain.get('secret')).toBeUndefined();
    await redis.client.set(`${redis.prefix}{secret}`, 'password=hunter2 from another app');
    expect(await plain.get('secret')).toBeUndefined();

    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(errors.every(isCacheIntegrityError)).toBe(true);
    const messages = errors.map((e) => e.message).join('\n');
    for (const why of ['did not verify', 'key id "k2"', 'requires sealed values', 'not a cache entry', 'not JSON']) expect(messages).toContain(why);
    expect(messages + JSON.stringify(errors)).not.toContain('hunter2'); // the stored text is never quoted
    expect(c.stats().integrityErrors + plain.stats().integrityErrors).toBe(errors.length);
    await c.close();
  });

  test('sealing keys are checked, and never echoed', () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcde'); // 31 bytes
    const client = redis.client;
    expect(() => cache({ store: redisCacheStore({ client }), sealing: { keys: [{ id: 'a', key: secret }] } })).toThrow(
      /`sealing.keys\[0\].key` to be 32 bytes \(AES-256\), got 31 bytes/,
    );
    expect(() => cache({ store: redisCacheStore({ client }), sealing: { keys: [{ id: 'a', key: secret }] } })).not.toThrow(/0123/);
    expect(() => cache({ store: redisCacheStore({ client }), sealing: { keys: [] } })).toThrow(/`sealing.keys`/);
    expect(() => cache({ store: redisCacheStore({ client }), sealing: { keys: [{ id: 'a:b', key: randomBytes(32) }] } })).toThrow(/without ":"/);
    expect(() => cache({ sealing: { keys: [k1] } })).toThrow(/`sealing`/);
  });
});

describe('L2 trouble without a server', () => {
  /** A client that is "connected" but never answers: the lost-connection case that hangs other libraries. */
  const silentClient = (): RedisClient => {
    const never = () => new Promise<never>(() => {});
    const c = {
      isReady: true,
      isOpen: true,
      get: never,
      mGet: never,
      set: never,
      eval: never,
      evalSha: never,
      connect: never,
      close: async () => {},
      destroy: () => {},
      subscribe: never,
      unsubscribe: async () => {},
      on: () => c,
      off: () => c,
      duplicate: () => silentClient(),
    };
    return c as unknown as RedisClient;
  };

  test('every Redis operation has a deadline; after repeated failures the guard fails fast; memory keeps serving', async () => {
    const clock = createFakeClock();
    const c = cache({ clock, ttlJitter: 0, earlyRefreshBeta: 0, store: redisCacheStore({ client: silentClient(), timeoutMs: 100, clock }) });
    const errors: BulwarkError[] = [];
    c.onStoreError((e) => errors.push(e.error));
    const first = c.getOrSet('k', async () => 'loaded');
    await clock.tickAsync(100);
    expect(await first).toBe('loaded');
    expect(isStoreUnavailableError(errors[0])).toBe(true);
    expect(errors[0]!.message).toBe('The store (redisCacheStore) could not read: Redis did not answer within 100 ms.');
    expect(await c.getOrSet('k', async () => 'again')).toBe('loaded'); // L1 serves
    for (let i = 0; i < 4; i++) {
      const p = c.get(`miss${i}`);
      await clock.tickAsync(100);
      expect(await p).toBeUndefined();
    }
    // Five failures in a row: the built-in guard is open, the next read fails at once.
    const fast = await Promise.race([c.get('miss-fast'), clock.flush().then(() => 'hung')]);
    expect(fast).toBeUndefined();
    expect(errors.at(-1)!.message).toMatch(/circuit open/);
    // An invalidation that cannot reach Redis says so.
    const del = c.delete('k').catch((e: unknown) => e);
    await clock.tickAsync(100);
    const error = await del;
    expect(isCacheInvalidationIncompleteError(error)).toBe(true);
    expect(c.peek('k')).toBeUndefined();
  });

  test('any core Policy can stand in front of Redis', async () => {
    let calls = 0;
    const open = Object.assign(new Error('breaker open'), { name: 'BrokenCircuitError' });
    const refuse: Policy = {
      execute: () => {
        calls++;
        return Promise.reject(open);
      },
      executeResult: () => {
        throw new Error('unused');
      },
    };
    const c = cache({ store: redisCacheStore({ client: silentClient(), policy: refuse }) });
    const errors: Error[] = [];
    c.onStoreError((e) => errors.push(e.error));
    expect(await c.getOrSet('k', async () => 1)).toBe(1);
    expect(calls).toBeGreaterThan(0);
    expect(errors[0]!.message).toBe('The store (redisCacheStore) could not read: the call failed with BrokenCircuitError.');
    expect(errors[0]!.cause).toBe(open);
  });
});

/** Just enough of a Redis for the fake-time tests: strings with SET NX, MGET, scripts that do nothing, and `isReady` to flip. */
const fakeRedis = () => {
  const store = new Map<string, string>();
  const client = {
    store,
    isReady: true as boolean,
    isOpen: true,
    get: async (key: string) => store.get(key) ?? null,
    mGet: async (keys: string[]) => keys.map((k) => store.get(k) ?? null),
    set: async (key: string, value: string, options?: { NX?: boolean }) => {
      if (options?.NX === true && store.has(key)) return null;
      store.set(key, value);
      return 'OK';
    },
    eval: async () => 0,
    evalSha: async () => 0,
    connect: async () => {},
    close: async () => {},
    destroy: () => {},
    subscribe: async () => {},
    unsubscribe: async () => {},
    on: () => client,
    off: () => client,
    duplicate: () => client,
  };
  return client;
};

describe('the built-in guard on fake time', () => {
  test('opens after threshold failures, lets one probe through after halfOpenAfterMs, closes on success', async () => {
    const clock = createFakeClock();
    const client = fakeRedis();
    client.isReady = false;
    const c = cache({
      clock,
      ttlJitter: 0,
      earlyRefreshBeta: 0,
      memory: false,
      store: redisCacheStore({ client: client, guard: { threshold: 2, halfOpenAfterMs: 1_000 } }),
    });
    const operations: string[] = [];
    c.onStoreError((e) => operations.push(e.error.message));
    await c.get('a');
    await c.get('b');
    expect(operations).toHaveLength(2);
    expect(operations.every((m) => /not connected/.test(m))).toBe(true);
    client.isReady = true;
    await c.get('c'); // still open: refused without asking Redis
    expect(operations.at(-1)).toMatch(/circuit open after 2 consecutive failures/);
    clock.tick(1_000);
    const before = operations.length;
    await c.set('d', 'value'); // the probe (a read of versions) goes through and closes the guard
    expect(await c.get('d')).toBe('value');
    expect(operations.length).toBe(before);
  });
});

describe('the commands the cache sends', () => {
  test('go through a view of the client without node-redis\'s per-command timer (the cache has its deadline)', async () => {
    const client = fakeRedis();
    const asked: object[] = [];
    const viaView: string[] = [];
    const view = {
      ...client,
      get: (key: string) => (viaView.push(`get ${key}`), client.get(key)),
      mGet: (keys: string[]) => (viaView.push(`mGet ${keys.join(' ')}`), client.mGet(keys)),
      set: (key: string, value: string, options?: { NX?: boolean }) => (viaView.push(`set ${key}`), client.set(key, value, options)),
    };
    const withView = Object.assign(client, {
      withCommandOptions: (options: object) => {
        asked.push(options);
        return view;
      },
    });
    const c = cache({ memory: false, store: redisCacheStore({ client: withView }) });
    await c.set('k', 1);
    expect(await c.get('k')).toBe(1);
    expect(asked).toEqual([{ timeout: 0 }]);
    expect(viaView).toContain('set bulwark:cache:{k}');
    expect(viaView.some((command) => command.includes('bulwark:cache:{k}') && /^(get|mGet) /.test(command))).toBe(true);
  });
});

describe('the lease wait on fake time', () => {

  test('while another instance holds the lease, this one polls Redis and takes its result without loading', async () => {
    const clock = createFakeClock({ now: 1_000_000 });
    const redis = fakeRedis();
    const options = { clock, ttlJitter: 0, earlyRefreshBeta: 0, store: redisCacheStore({ client: redis, clock, leaseWaitMs: 1_000, leasePollMs: 50 }) };
    const waiting = cache(options);
    const holder = cache(options);
    redis.store.set('bulwark:cache:{k}:l', 'someone else');
    let loads = 0;
    const pending = waiting.getOrSet('k', async () => ++loads);
    await clock.tickAsync(400);
    expect(loads).toBe(0);
    await holder.set('k', 42); // the lease holder's result lands in Redis
    await clock.tickAsync(50);
    expect(await pending).toBe(42);
    expect(loads).toBe(0);
  });

  test('a call waiting for another instance when close() is called settles at its next look, loading itself, rather than hang', async () => {
    const clock = createFakeClock({ now: 1_000_000 });
    const redis = fakeRedis();
    const c = cache({ clock, ttlJitter: 0, earlyRefreshBeta: 0, store: redisCacheStore({ client: redis, clock, leaseWaitMs: 60_000, leasePollMs: 50 }) });
    redis.store.set('bulwark:cache:{k}:l', 'a holder that never finishes');
    const storeErrors: string[] = [];
    c.onStoreError(({ operation, error }) => storeErrors.push(`${operation}: ${(error as Error).message}`));
    let loads = 0;
    let settled = false;
    const pending = c.getOrSet('k', async () => ++loads).finally(() => (settled = true));
    await clock.tickAsync(100);
    expect(settled).toBe(false);
    await c.close();
    await clock.tickAsync(50); // one more look: Redis is shut to a closed cache, so there is no one to wait for
    expect(settled).toBe(true);
    expect(await pending).toBe(1);
    // From close() on, its Redis reads and writes are refused, as a store failure would be.
    expect(storeErrors).toEqual(['read: The store (redisCacheStore) could not read: the cache is closed.', 'write: The store (redisCacheStore) could not write: the cache is closed.']);
  });

  test('the wait is bounded by leaseWaitMs: then this instance loads itself', async () => {
    const clock = createFakeClock({ now: 1_000_000 });
    const redis = fakeRedis();
    const c = cache({ clock, ttlJitter: 0, earlyRefreshBeta: 0, store: redisCacheStore({ client: redis, clock, leaseWaitMs: 1_000, leasePollMs: 50 }) });
    redis.store.set('bulwark:cache:{k}:l', 'a holder that died');
    let loads = 0;
    let settled = false;
    const pending = c.getOrSet('k', async () => ++loads).finally(() => (settled = true));
    await clock.tickAsync(950);
    expect(settled).toBe(false);
    await clock.tickAsync(100);
    expect(await pending).toBe(1);
  });
});
