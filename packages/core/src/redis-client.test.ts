import { describe, expect, test } from 'vitest';
import { expectRedisClient } from './index.js';

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
