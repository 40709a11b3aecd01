import { createClient } from 'redis';
import { describe, expect, test } from 'vitest';
import { expectOptions, expectRedisClient, invalidStore, knownOptions } from './index.js';

describe('expectRedisClient', () => {
  test('a URL given as the client is refused without showing it', () => {
    const url = 'redis://:hunter2-s3cret@cache.internal:6379'; // bulwark-allow-secret: a made-up password, to show it is not echoed
    expect(() => expectRedisClient('client', url)).toThrow(
      'Expected `client` to be a connected node-redis client, not a URL: `createClient({ url })` from `redis`, then `connect()`, got a string (its value is not shown).',
    );
    try {
      expectRedisClient('client', url);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });

  test('anything else that is not a client is named', () => {
    expect(() => expectRedisClient('client', { get() {} })).toThrow(/^Expected `client` to be a connected node-redis client \(createClient\(\) or createCluster\(\) from `redis`\), got/);
    expect(() => expectRedisClient('client', undefined)).toThrow('got undefined');
  });
});

describe('a Redis client passed where a store wants its options', () => {
  test('is named as a client, with the fix, not blamed on a missing `client`', () => {
    const client = createClient();
    const known = knownOptions<{ client?: unknown; prefix?: string }>('redisExampleStore()', { client: [], prefix: [] });
    expect(() => expectOptions('options', client, known)).toThrow(
      new TypeError('Expected `options` to be an options object, got a Redis client: pass it inside, as `{ client }`.'),
    );
    expect(() => expectOptions('options', { client }, known)).not.toThrow();
  });
});

describe('invalidStore', () => {
  test('names a Redis client given as the store, with the store that wraps it', () => {
    expect(invalidStore('store', createClient(), 'a store from redisExampleStore()', 'redisExampleStore').message).toBe(
      'Expected `store` to be a store from redisExampleStore(), got a Redis client: wrap it in a store, as `store: redisExampleStore({ client })`.',
    );
  });

  test('describes a string (a Redis URL, perhaps with a password) without showing it, and anything else as invalidOption does', () => {
    const url = 'redis://:hunter2@cache:6379'; // bulwark-allow-secret: a made-up password, to show it is never quoted
    expect(invalidStore('store', url, 'a store', 'redisExampleStore').message).toBe('Expected `store` to be a store, got a string (its value is not shown).');
    expect(invalidStore('store', 42, 'a store', 'redisExampleStore').message).toBe('Expected `store` to be a store, got 42.');
  });
});
