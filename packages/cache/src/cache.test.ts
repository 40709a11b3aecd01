import { createFakeClock, isTimeoutError, pipeline, timeout, TimeoutError, type FakeClock } from '@bulwark/core';
import { deferred } from '@bulwark/test-utils';
import { describe, expect, test } from 'vitest';
import {
  cache,
  isCacheClosedError,
  isUnserializableValueError,
  redisCacheStore,
  type CacheEvictEvent,
  type CacheOptions,
  type CacheStaleEvent,
  type LoaderContext,
} from './index.js';

const make = (clock: FakeClock, options: CacheOptions = {}) =>
  cache({ clock, ttlJitter: 0, earlyRefreshBeta: 0, ...options });

function counter<T>(value: (n: number) => T) {
  let calls = 0;
  const fn = async (): Promise<T> => value(++calls);
  return Object.defineProperty(fn, 'calls', { get: () => calls }) as typeof fn & { readonly calls: number };
}

describe('getOrSet in memory', () => {
  test('a miss loads once, a fresh hit returns the stored value without loading', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 1_000 });
    const load = counter((n) => ({ n }));
    expect(await c.getOrSet('k', load)).toEqual({ n: 1 });
    expect(await c.getOrSet('k', load)).toEqual({ n: 1 });
    expect(load.calls).toBe(1);
    expect(c.stats()).toMatchObject({ l1Hits: 1, misses: 1, loads: 1 });
  });

  test('1,000 concurrent misses on one key cause exactly one loader call', async () => {
    const c = make(createFakeClock());
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const all = Array.from({ length: 1_000 }, () => c.getOrSet('hot', loader));
    gate.resolve('v');
    const values = await Promise.all(all);
    expect(calls).toBe(1);
    expect(new Set(values)).toEqual(new Set(['v']));
  });

  test('after ttlMs the value is reloaded', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 1_000 });
    const load = counter((n) => n);
    await c.getOrSet('k', load);
    clock.tick(999);
    expect(await c.getOrSet('k', load)).toBe(1);
    clock.tick(1);
    expect(await c.getOrSet('k', load)).toBe(2);
  });

  test('stale-while-revalidate: inside the window the stale value comes back at once and one refresh runs', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 1_000, staleWhileRevalidateMs: 500 });
    const stale: CacheStaleEvent[] = [];
    c.onStale((e) => stale.push(e));
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => (++calls === 1 ? Promise.resolve('old') : gate.promise);
    await c.getOrSet('k', loader);
    clock.tick(1_200);
    expect(await c.getOrSet('k', loader)).toBe('old');
    expect(await c.getOrSet('k', loader)).toBe('old');
    expect(calls).toBe(2); // one refresh, however many stale reads
    expect(stale.map((e) => [e.reason, e.ageMs])).toEqual([
      ['revalidating', 200],
      ['revalidating', 200],
    ]);
    gate.resolve('new');
    await clock.flush();
    expect(await c.getOrSet('k', loader)).toBe('new');
    expect(c.stats().refreshes).toBe(1);
  });

  test('past the revalidate window the caller waits for the loader', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 1_000, staleWhileRevalidateMs: 500 });
    const load = counter((n) => n);
    await c.getOrSet('k', load);
    clock.tick(1_500);
    expect(await c.getOrSet('k', load)).toBe(2);
  });

  test('stale-if-error: a failing loader within the window serves the stale value, marked stale', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 1_000, staleIfErrorMs: 10_000 });
    const stale: CacheStaleEvent[] = [];
    const errors: unknown[] = [];
    c.onStale((e) => stale.push(e));
    c.onLoaderError((e) => errors.push([e.error, e.servedStale]));
    const boom = new Error('provider down');
    await c.getOrSet('k', async () => 'valid');
    clock.tick(5_000);
    expect(await c.getOrSet('k', async () => Promise.reject(boom))).toBe('valid');
    expect(stale).toEqual([{ name: 'cache', key: 'k', reason: 'loader-error', ageMs: 4_000 }]);
    expect(errors).toEqual([[boom, true]]);
    clock.tick(6_000); // 11 s after freshness ended: past the window
    await expect(c.getOrSet('k', async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(errors).toEqual([
      [boom, true],
      [boom, false],
    ]);
  });

  test('a failing loader with nothing stale rejects every waiter with its error and caches nothing', async () => {
    const c = make(createFakeClock());
    const boom = new Error('nope');
    let calls = 0;
    const loader = async () => {
      calls++;
      throw boom;
    };
    await expect(Promise.all([c.getOrSet('k', loader), c.getOrSet('k', loader)])).rejects.toBe(boom);
    expect(calls).toBe(1);
    await expect(c.getOrSet('k', loader)).rejects.toBe(boom);
    expect(calls).toBe(2);
    expect(c.stats().loaderErrors).toBe(2);
  });

  test('negative answers are cached with their own TTL', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 60_000 });
    const load = counter((n) => (n === 1 ? null : 'found'));
    expect(await c.getOrSet('user:1', load, { negativeTtlMs: 1_000 })).toBeNull();
    clock.tick(999);
    expect(await c.getOrSet('user:1', load, { negativeTtlMs: 1_000 })).toBeNull();
    clock.tick(1);
    expect(await c.getOrSet('user:1', load, { negativeTtlMs: 1_000 })).toBe('found');
    expect(load.calls).toBe(2);
  });

  test('isNegative decides which answers are negative', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 60_000, negativeTtlMs: 100 });
    const opts = { isNegative: (v: { valid: boolean }) => !v.valid };
    const load = counter((n) => ({ valid: n > 1 }));
    await c.getOrSet('e', load, opts);
    clock.tick(100);
    expect(await c.getOrSet('e', load, opts)).toEqual({ valid: true });
    clock.tick(100);
    expect(await c.getOrSet('e', load, opts)).toEqual({ valid: true });
    expect(load.calls).toBe(2);
  });

  test('TTL jitter spreads expiry of entries written together, never past ttlMs', async () => {
    const clock = createFakeClock();
    let r = 0;
    const c = cache({ clock, ttlMs: 1_000, ttlJitter: 0.5, earlyRefreshBeta: 0, random: () => (r = (r + 0.1) % 1) });
    const load = counter(() => 'v');
    for (let i = 0; i < 9; i++) await c.getOrSet(`k${i}`, load);
    const expired = async (): Promise<number> => {
      let n = 0;
      for (let i = 0; i < 9; i++) if ((await c.get(`k${i}`)) === undefined) n++;
      return n;
    };
    expect(await expired()).toBe(0);
    clock.tick(500);
    expect(await expired()).toBe(0);
    clock.tick(250);
    const some = await expired();
    expect(some).toBeGreaterThan(0);
    expect(some).toBeLessThan(9);
    clock.tick(250);
    expect(await expired()).toBe(9);
  });

  test('probabilistic early refresh: a slow loader near expiry refreshes in the background while the fresh value is served', async () => {
    const clock = createFakeClock();
    let rand = 0.5;
    const c = cache({ clock, ttlMs: 10_000, ttlJitter: 0, earlyRefreshBeta: 1, random: () => rand });
    const refreshes: string[] = [];
    c.onRefresh((e) => refreshes.push(e.reason));
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 1_000)); // the loader takes 1 s
      return calls;
    };
    const first = c.getOrSet('k', loader);
    await clock.tickAsync(1_000);
    expect(await first).toBe(1);
    // Far from expiry: never refreshed early.
    expect(await c.getOrSet('k', loader)).toBe(1);
    expect(calls).toBe(1);
    // 500 ms before expiry, -ln(1 - 0.5) * 1000 ≈ 693 ms ≥ 500 ms: refresh early.
    clock.tick(9_500);
    expect(await c.getOrSet('k', loader)).toBe(1);
    expect(refreshes).toEqual(['early']);
    await clock.tickAsync(1_000);
    expect(await c.getOrSet('k', loader)).toBe(2);
    // With a draw near 0 the same distance does not trigger it.
    rand = 0.01;
    clock.tick(9_500);
    expect(await c.getOrSet('k', loader)).toBe(2);
    expect(calls).toBe(2);
  });
});

describe('memory bounds', () => {
  test('LRU by entries: the least recently used goes first, reported as an eviction', async () => {
    const c = make(createFakeClock(), { maxEntries: 2 });
    const evicted: CacheEvictEvent[] = [];
    c.onEvict((e) => evicted.push(e));
    await c.set('a', 1);
    await c.set('b', 2);
    await c.get('a');
    await c.set('c', 3);
    expect(evicted).toEqual([{ name: 'cache', key: 'b', reason: 'capacity' }]);
    expect(c.peek('a')).toBe(1);
    expect(c.peek('b')).toBeUndefined();
    expect(c.stats()).toMatchObject({ evictions: 1, entries: 2 });
  });

  test('LRU by bytes: large values push out older ones and the byte count stays under the bound', async () => {
    const c = make(createFakeClock(), { maxBytes: 4_000 });
    const big = 'x'.repeat(700); // ~1.5 kB each
    await c.set('a', big);
    await c.set('b', big);
    expect(c.stats().entries).toBe(2);
    await c.set('c', big);
    expect(c.peek('a')).toBeUndefined();
    expect(c.stats().bytes).toBeLessThanOrEqual(4_000);
    await c.set('huge', 'y'.repeat(10_000)); // can never fit: not kept, nothing else dropped
    expect(c.peek('huge')).toBeUndefined();
    expect(c.peek('c')).toBe(big);
  });
});

describe('invalidation in memory', () => {
  test('by key, tag and namespace', async () => {
    const c = make(createFakeClock());
    await c.set('a', 1, { tags: ['user:1'] });
    await c.set('b', 2, { tags: ['user:1', 'org:1'] });
    await c.set('c', 3, { tags: ['org:2'] });
    await c.set('d', 4);
    await c.delete('d');
    expect(await c.get('d')).toBeUndefined();
    await c.invalidateTag('user:1');
    expect([c.peek('a'), c.peek('b'), c.peek('c')]).toEqual([undefined, undefined, 3]);
    await c.bumpNamespace();
    expect(c.peek('c')).toBeUndefined();
    expect(c.stats().entries).toBe(0);
  });

  test('a load that began before an invalidation answers its callers but is not stored', async () => {
    const c = make(createFakeClock());
    const gate = deferred<string>();
    const pending = c.getOrSet('k', () => gate.promise, { tags: ['t'] });
    await c.invalidateTag('t');
    gate.resolve('old');
    expect(await pending).toBe('old');
    expect(c.peek('k')).toBeUndefined();
    expect(await c.getOrSet('k', async () => 'new')).toBe('new');
  });
});

describe('values', () => {
  test('values come back deeply frozen copies, so a caller cannot corrupt the cache', async () => {
    const c = make(createFakeClock());
    const original = { user: { roles: ['admin'] } };
    await c.set('k', original);
    original.user.roles.push('mutated');
    const got = await c.get<typeof original>('k');
    expect(got).toEqual({ user: { roles: ['admin'] } });
    expect(Object.isFrozen(got!.user.roles)).toBe(true);
  });

  test('undefined is a value (a negative answer by default)', async () => {
    const c = make(createFakeClock());
    const load = counter(() => undefined);
    expect(await c.getOrSet('k', load)).toBeUndefined();
    expect(await c.getOrSet('k', load)).toBeUndefined();
    expect(load.calls).toBe(1);
  });
});

describe('bad input: a clear error at the call, nothing written', () => {
  const c = make(createFakeClock());
  test.each([
    [42, /Expected `key` to be a non-empty string, got 42/],
    ['', /Expected `key` to be a non-empty string, got ""/],
    [undefined, /got undefined/],
    [{ id: 1 }, /got an object/],
  ])('key %j', async (key, message) => {
    await expect(c.getOrSet(key as never, async () => 1)).rejects.toThrow(message);
    await expect(c.get(key as never)).rejects.toThrow(TypeError);
    await expect(c.set(key as never, 1)).rejects.toThrow(TypeError);
    await expect(c.delete(key as never)).rejects.toThrow(TypeError);
  });

  test.each([
    [{ ttlMs: -1 }, /`ttlMs` to be a number above 0 and at most 3_155_760_000_000 \(100 years, the longest Redis keeps an entry exactly\), got -1/],
    [{ ttlMs: 1e20 }, /`ttlMs` to be a number above 0 and at most 3_155_760_000_000/],
    [{ staleIfErrorMs: 1e300 }, /`staleIfErrorMs` to be a number from 0 to 3_155_760_000_000/],
    [{ ttl: 5_000 }, /Unknown option `ttl` of (getOrSet|set)\(\); did you mean `ttlMs`\?/],
    [{ ttlMs: 0 }, /`ttlMs`/],
    [{ staleWhileRevalidateMs: -5 }, /`staleWhileRevalidateMs` to be a number from 0 to 3_155_760_000_000/],
    [{ staleIfErrorMs: Number.NaN }, /`staleIfErrorMs`/],
    [{ negativeTtlMs: -1 }, /`negativeTtlMs`/],
    [{ tags: 'a' }, /`tags` to be an array/],
    [{ tags: ['ok', 3] }, /`tags\[1\]` to be a non-empty string, got 3/],
  ])('options %j', async (options, message) => {
    let called = false;
    await expect(
      c.getOrSet('k', async () => {
        called = true;
        return 1;
      }, options as never),
    ).rejects.toThrow(message);
    await expect(c.set('k', 1, options as never)).rejects.toThrow(message);
    expect(called).toBe(false);
    expect(c.peek('k')).toBeUndefined();
  });

  test('a loader that is not a function', async () => {
    await expect(c.getOrSet('k', 'nope' as never)).rejects.toThrow(/`loader` to be a function/);
  });

  class Point {
    x = 1;
  }
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  test.each([
    ['a function', () => 1, /a function at \$/],
    ['a bigint', { n: 1n }, /a bigint at \$\.n/],
    ['a symbol', [Symbol('s')], /a symbol at \$\[0\]/],
    ['NaN', { score: Number.NaN }, /the number NaN at \$\.score/],
    ['a Date', { at: new Date(0) }, /an object of type Date at \$\.at/],
    ['a Map', new Map(), /an object of type Map at \$/],
    ['a class instance', { p: new Point() }, /an object of type Point at \$\.p/],
    ['a cycle', circular, /a circular reference at \$\.self/],
    ['undefined in an array', [1, undefined], /undefined inside an array at \$\[1\]/],
  ])('unserializable value: %s', async (_what, value, message) => {
    await expect(c.set('v', value)).rejects.toThrow(message);
    const error = await c.getOrSet('v2', async () => value).catch((e: unknown) => e);
    expect(isUnserializableValueError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(c.peek('v')).toBeUndefined();
    expect(c.peek('v2')).toBeUndefined();
  });

  test('construction options are checked', () => {
    expect(() => cache({ ttlMs: -1 })).toThrow(/`ttlMs`/);
    expect(() => cache({ ttlJitter: 2 })).toThrow(/`ttlJitter` to be a number from 0 to 1, got 2/);
    expect(() => cache({ maxEntries: 0 })).toThrow(/`maxEntries` to be a positive integer/);
    expect(() => cache({ memory: false })).toThrow(/`store`/);
    expect(() => redisCacheStore({ client: {} as never })).toThrow(/`client`/);
    expect(() => cache({ store: { kind: 'redis', prefix: 'x' } })).toThrow('Expected `store` to be a store from redisCacheStore(...), got an object (Object).');
  });
});

describe('cache-aside as a Policy', () => {
  test('composes with pipeline: a hit skips everything inside it', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 1_000 });
    let calls = 0;
    const guarded = pipeline(c.policy('user:1'), timeout(500, { clock }));
    const fetchUser = async ({ signal }: { signal: AbortSignal }) => {
      calls++;
      expect(signal.aborted).toBe(false);
      return { id: 1 };
    };
    expect(await guarded.execute(fetchUser)).toEqual({ id: 1 });
    expect(await guarded.execute(fetchUser)).toEqual({ id: 1 });
    expect(calls).toBe(1);
    const result = await c.policy('user:2').executeResult(async () => {
      throw new Error('upstream down');
    });
    expect(result.isErr() && result.error.code).toBe('OPERATION_FAILED');
    expect(() => c.policy(3 as never)).toThrow(/`key`/);
  });

  test('executeResult never quotes the original error: its kind is named, the error kept as cause', async () => {
    const c = make(createFakeClock());
    const original = new Error('GET /v1/users?api_key=S3cr3t: 403');
    const error = (
      await c.policy('user:3').executeResult(async () => {
        throw original;
      })
    )._unsafeUnwrapErr();
    expect(error.message).toBe('The operation failed (Error).');
    expect(error.cause).toBe(original);
    expect(JSON.stringify(error)).not.toContain('S3cr3t');
  });

  test('a signal that is not one rejects (never throws), naming it, and the load never runs', async () => {
    const c = make(createFakeClock());
    const policy = c.policy('user:4');
    let calls = 0;
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = policy.execute(() => ++calls, {} as never);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(new TypeError('Expected `signal` to be an AbortSignal or an execute context, got an object (Object).'));
    await expect(policy.execute(() => ++calls, 5 as never)).rejects.toThrow(new TypeError('Expected `signal` to be an AbortSignal or an execute context, got 5.'));
    expect(calls).toBe(0);
    await expect(policy.execute(() => ++calls, { signal: new AbortController().signal, attempt: 1 })).resolves.toBe(1);
  });
});

describe('abort', () => {
  test("a caller's signal stops its own wait; the load carries on for the others and is stored", async () => {
    const c = make(createFakeClock());
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const controller = new AbortController();
    const leaving = c.getOrSet('k', loader, { signal: controller.signal });
    const staying = c.getOrSet('k', loader);
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(leaving).rejects.toBe(reason);
    gate.resolve('v');
    expect(await staying).toBe('v');
    expect(c.peek('k')).toBe('v');
    expect(calls).toBe(1);
    await expect(c.getOrSet('other', loader, { signal: controller.signal })).rejects.toBe(reason);
    expect(calls).toBe(1); // an aborted caller starts no load
    await expect(c.getOrSet('k', loader, { signal: 'nope' as never })).rejects.toThrow(/`signal` to be an AbortSignal/);
  });
});

describe('a loader that never settles', () => {
  const never = () => new Promise<string>(() => {});

  test('is abandoned after loaderTimeoutMs: every waiter gets a TimeoutError, its signal aborts, and the next caller loads afresh', async () => {
    const clock = createFakeClock();
    const c = make(clock, { loaderTimeoutMs: 5_000 });
    const errors: unknown[] = [];
    c.onLoaderError((e) => errors.push([e.key, e.error, e.servedStale]));
    const signals: AbortSignal[] = [];
    const hung = ({ signal }: LoaderContext) => {
      signals.push(signal);
      return never();
    };
    const first = c.getOrSet('h', hung).catch((error: unknown) => error);
    const second = c.getOrSet('h', hung).catch((error: unknown) => error);
    await clock.tickAsync(4_999);
    expect(signals).toHaveLength(1); // one shared load
    expect(signals[0]!.aborted).toBe(false);
    await clock.tickAsync(1);
    const error = await first;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(error) && error.timeoutMs).toBe(5_000);
    expect(await second).toBe(error);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toBe(error);
    expect(errors).toEqual([['h', error, false]]);
    expect(c.stats()).toMatchObject({ loads: 1, loaderErrors: 1 });
    // The key is free again: the next caller starts its own load.
    expect(await c.getOrSet('h', async () => 'fresh')).toBe('fresh');
    expect(c.peek('h')).toBe('fresh');
    expect(clock.pendingTimers).toBe(0);
  });

  test('stale-if-error serves the stale value when the load is abandoned', async () => {
    const clock = createFakeClock();
    const c = make(clock, { ttlMs: 1_000, staleIfErrorMs: 60_000, loaderTimeoutMs: 2_000 });
    const stale: CacheStaleEvent[] = [];
    c.onStale((e) => stale.push(e));
    await c.getOrSet('k', async () => 'valid');
    clock.tick(1_500);
    const pending = c.getOrSet('k', never);
    await clock.tickAsync(2_000);
    expect(await pending).toBe('valid');
    expect(stale).toEqual([{ name: 'cache', key: 'k', reason: 'loader-error', ageMs: 2_500 }]);
  });

  test('the late answer of an abandoned load is dropped, never stored over a newer one', async () => {
    const clock = createFakeClock();
    const c = make(clock, { loaderTimeoutMs: 1_000 });
    const gate = deferred<string>();
    const abandoned = c.getOrSet('k', () => gate.promise).catch((error: unknown) => error);
    await clock.tickAsync(1_000);
    expect(isTimeoutError(await abandoned)).toBe(true);
    expect(await c.getOrSet('k', async () => 'newer')).toBe('newer');
    gate.resolve('late');
    await clock.flush();
    expect(c.peek('k')).toBe('newer');
  });

  test('a call sets the deadline of the load it starts; Infinity turns it off', async () => {
    const clock = createFakeClock();
    const c = make(clock, { loaderTimeoutMs: 1_000 });
    const gate = deferred<string>();
    const slow = c.getOrSet('slow', () => gate.promise, { loaderTimeoutMs: 10_000 });
    const joined = c.getOrSet('slow', never); // joins the running load, and its deadline
    await clock.tickAsync(9_999);
    gate.resolve('slow but legitimate');
    expect(await slow).toBe('slow but legitimate');
    expect(await joined).toBe('slow but legitimate');
    const unbounded = c.getOrSet('forever', never, { loaderTimeoutMs: Infinity });
    expect(clock.pendingTimers).toBe(0);
    let settled = false;
    void unbounded.finally(() => (settled = true));
    await clock.tickAsync(3_600_000);
    expect(settled).toBe(false);
  });

  test('by default a load is abandoned after 60 s', async () => {
    const clock = createFakeClock();
    const c = make(clock);
    const pending = c.getOrSet('h', never).catch((error: unknown) => error);
    await clock.tickAsync(59_999);
    await clock.tickAsync(1);
    const error = await pending;
    expect(isTimeoutError(error) && error.timeoutMs).toBe(60_000);
  });

  test("a policy's function runs on the load's context: its signal aborts when the load is abandoned", async () => {
    const clock = createFakeClock();
    const c = make(clock, { loaderTimeoutMs: 500 });
    let seen: AbortSignal | undefined;
    const pending = c
      .policy('user:1')
      .execute(({ signal }) => {
        seen = signal;
        return never();
      })
      .catch((error: unknown) => error);
    await clock.tickAsync(500);
    expect(isTimeoutError(await pending)).toBe(true);
    expect(seen?.aborted).toBe(true);
  });

  test('loaderTimeoutMs is checked, at construction and per call', async () => {
    expect(() => cache({ loaderTimeoutMs: 0 })).toThrow(new TypeError('Expected `loaderTimeoutMs` to be a positive number or Infinity, got 0.'));
    await expect(cache().getOrSet('k', () => 1, { loaderTimeoutMs: -1 })).rejects.toThrow(
      new TypeError('Expected `loaderTimeoutMs` to be a positive number or Infinity, got -1.'),
    );
    await expect(cache().getOrSet('k', () => 1, { timeout: 5 } as never)).rejects.toThrow(
      new TypeError('Unknown option `timeout` of getOrSet(); did you mean `loaderTimeoutMs`?'),
    );
  });
});

describe('after close()', () => {
  test('every call is refused with CacheClosedError, naming the cache and the method; close() twice is harmless', async () => {
    const clock = createFakeClock();
    const c = make(clock, { name: 'users' });
    await c.set('k', 'v');
    const policy = c.policy('k');
    let loads = 0;
    const load = async () => ++loads;
    await c.close();
    await c.close();
    await c[Symbol.asyncDispose]();

    const calls: Array<[string, () => unknown]> = [
      ['getOrSet', () => c.getOrSet('k', load)],
      ['get', () => c.get('k')],
      ['set', () => c.set('k', 'w')],
      ['delete', () => c.delete('k')],
      ['invalidateTag', () => c.invalidateTag('t')],
      ['bumpNamespace', () => c.bumpNamespace()],
      ['policy().execute', () => policy.execute(load)],
    ];
    for (const [method, call] of calls) {
      const error = await Promise.resolve().then(call).then(() => undefined, (e: unknown) => e);
      expect(isCacheClosedError(error), method).toBe(true);
      expect(error).toMatchObject({ code: 'CACHE_CLOSED', cache: 'users', method, transient: false });
      expect((error as Error).message).toBe(`The cache "users" is closed: ${method}() was called after close(). Make a new cache() to keep caching.`);
    }
    for (const [method, call] of [['peek', () => c.peek('k')], ['policy', () => c.policy('k')], ['setSealingKeys', () => c.setSealingKeys([])]] as const) {
      expect(call, method).toThrow(expect.objectContaining({ code: 'CACHE_CLOSED', method }));
    }
    expect(loads).toBe(0);
    await c.ready(); // never rejects
    expect(c.stats().entries).toBe(1); // the last counters stay readable
  });

  test('a Result twin and a policy name the method the caller called, in CacheClosedError and in an option error', async () => {
    const c = make(createFakeClock(), { name: 'users' });
    const policy = c.policy('k');
    const load = async () => 1;
    const bad = { ttl: 5 } as never;
    const optionErrors: Array<[string, () => Promise<{ isErr(): boolean; error?: unknown }>]> = [
      ['getOrSetResult', async () => c.getOrSetResult('k', load, bad)],
      ['setResult', async () => c.setResult('k', 1, bad)],
    ];
    for (const [method, call] of optionErrors) {
      const result = await call();
      expect(result.isErr(), method).toBe(true);
      expect(((result.error as Error).cause as Error).message).toBe(`Unknown option \`ttl\` of ${method}(); did you mean \`ttlMs\`?`);
    }
    await c.close();
    const calls: Array<[string, () => Promise<{ isErr(): boolean; error?: unknown } | unknown>]> = [
      ['getOrSetResult', async () => c.getOrSetResult('k', load)],
      ['getResult', async () => c.getResult('k')],
      ['setResult', async () => c.setResult('k', 1)],
      ['deleteResult', async () => c.deleteResult('k')],
      ['invalidateTagResult', async () => c.invalidateTagResult('t')],
      ['bumpNamespaceResult', async () => c.bumpNamespaceResult()],
      ['policy().executeResult', async () => policy.executeResult(load)],
    ];
    for (const [method, call] of calls) {
      const result = (await call()) as { isErr(): boolean; error?: unknown };
      expect(result.isErr(), method).toBe(true);
      expect(result.error).toMatchObject({ code: 'CACHE_CLOSED', cache: 'users', method });
      expect((result.error as Error).message).toBe(`The cache "users" is closed: ${method}() was called after close(). Make a new cache() to keep caching.`);
    }
    await expect(policy.execute(load)).rejects.toThrow(
      expect.objectContaining({ method: 'policy().execute', message: 'The cache "users" is closed: policy().execute() was called after close(). Make a new cache() to keep caching.' }),
    );
  });

  test('a call already running when close() is called is not interrupted: it finishes and settles, and close() does not wait for it', async () => {
    const c = make(createFakeClock(), { name: 'users' });
    const gate = deferred<string>();
    const failing = deferred<string>();
    const running = c.getOrSet('k', () => gate.promise);
    const joined = c.getOrSet('k', async () => 'never runs'); // shares the load already running
    const result = c.getOrSetResult('f', () => failing.promise);
    await Promise.resolve();
    await c.close(); // resolves while the loads still run
    await expect(c.getOrSet('k', async () => 'new')).rejects.toThrow(expect.objectContaining({ code: 'CACHE_CLOSED' }));
    gate.resolve('loaded');
    failing.reject(new Error('upstream down'));
    expect(await Promise.all([running, joined])).toEqual(['loaded', 'loaded']);
    const failed = await result;
    expect(failed.isErr() && ((failed.error as Error).cause as Error).message).toBe('upstream down');
  });
});
