import { createClient } from 'redis';
import { describe, expect, test } from 'vitest';
import { cache, redisCacheStore } from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['cache', () => cache({ ttl: 60 } as never), 'Unknown option `ttl` of cache(); did you mean `ttlMs`?'],
    ['cache (another library\'s name)', () => cache({ max: 500 } as never), 'Unknown option `max` of cache(); did you mean `maxEntries`?'],
    ['getOrSet', () => cache().getOrSet('k', () => 1, { ttl: 5_000 } as never), 'Unknown option `ttl` of getOrSet(); did you mean `ttlMs`?'],
    ['set', () => cache().set('k', 1, { staleWhileRevalidate: 5_000 } as never), 'Unknown option `staleWhileRevalidate` of set(); did you mean `staleWhileRevalidateMs`?'],
    ['policy', () => cache().policy('k', { tag: ['a'] } as never), 'Unknown option `tag` of policy(); did you mean `tags`?'],
    ['cache (sealing)', () => cache({ sealing: { key: [] } } as never), 'Unknown option `sealing.key` of cache(); did you mean `sealing.keys`?'],
  ])('%s', async (_name, make, message) => {
    // getOrSet and set reject rather than throw; cache() and policy() throw.
    await expect(async () => make()).rejects.toThrow(new TypeError(message));
  });
});

describe('bounds are stated in words a person reads', () => {
  test.each([
    [{ ttlMs: 0 }, 'Expected `ttlMs` to be a number above 0 and at most 3_155_760_000_000 (100 years, the longest Redis keeps an entry exactly), got 0.'],
    [{ negativeTtlMs: -1 }, 'Expected `negativeTtlMs` to be a number above 0 and at most 3_155_760_000_000 (100 years, the longest Redis keeps an entry exactly), got -1.'],
    // Redis keeps an entry until its last window has passed: past 100 years every write to it failed.
    [{ ttlMs: 1e20 }, 'Expected `ttlMs` to be a number above 0 and at most 3_155_760_000_000 (100 years, the longest Redis keeps an entry exactly), got 100000000000000000000.'],
    [{ staleWhileRevalidateMs: 1e300 }, 'Expected `staleWhileRevalidateMs` to be a number from 0 to 3_155_760_000_000 (100 years, the longest Redis keeps an entry exactly), got 1e+300.'],
  ])('%o', (options, message) => {
    expect(() => cache(options)).toThrow(new TypeError(message));
  });
});

describe('a Redis URL where a store or a client belongs is refused without quoting it', () => {
  // bulwark-allow-secret: a fake password in a Redis URL, to show it stays out of the message
  const url = 'redis://:hunter2-pw@cache.internal:6379';
  // Enough of a node-redis client for redisCacheStore() to accept it as `client`.
  const client = { evalSha: () => undefined, eval: () => undefined, duplicate: () => undefined } as never;

  test('store', () => {
    expect(() => cache({ store: url as never })).toThrow(
      new TypeError('Expected `store` to be a store from redisCacheStore(...), got a string (its value is not shown).'),
    );
  });

  test('a Redis client given as the store is named as one, with the store that wraps it', () => {
    expect(() => cache({ store: createClient() as never })).toThrow(
      new TypeError('Expected `store` to be a store from redisCacheStore(...), got a Redis client: wrap it in a store, as `store: redisCacheStore({ client })`.'),
    );
  });

  test('subscriber', () => {
    expect(() => redisCacheStore({ client, subscriber: url as never })).toThrow(
      new TypeError('Expected `subscriber` to be a connected node-redis client, got a string (its value is not shown).'),
    );
  });
});

describe('a key that is not a string is refused by every method', () => {
  test.each([
    ['getOrSet', (c: ReturnType<typeof cache>) => c.getOrSet(42 as never, () => 1)],
    ['get', (c: ReturnType<typeof cache>) => c.get(42 as never)],
    ['set', (c: ReturnType<typeof cache>) => c.set(42 as never, 1)],
    ['delete', (c: ReturnType<typeof cache>) => c.delete(42 as never)],
    ['peek', (c: ReturnType<typeof cache>) => c.peek(42 as never)],
    ['policy', (c: ReturnType<typeof cache>) => c.policy(42 as never)],
  ])('%s', async (_name, call) => {
    const users = cache();
    await expect(async () => call(users)).rejects.toThrow(new TypeError('Expected `key` to be a non-empty string, got 42.'));
  });
});
