import { expect, test } from 'vitest';
import { describeRedis, useRedis } from './index.js';

describeRedis('fixture', () => {
  const redis = useRedis();
  test('isolated prefix', async () => {
    await redis.client.set(redis.key('a'), '1');
    expect(await redis.client.get(redis.key('a'))).toBe('1');
  });
});
