import { readFileSync } from 'node:fs';
import { describeRedis, redisUrl } from '@bulwark/test-utils';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { isRateLimitedError } from '@bulwark/ratelimit';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = (name: string) => readFileSync(new URL(`./readme/${name}.example.ts`, import.meta.url), 'utf8');
const block = (name: string) => new RegExp(`<!-- readme-example: ${name} -->\\n\`\`\`ts(?: test)?\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];

describe('README usage examples', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  test.each(['memory', 'redis'])('the %s example in the README is the file the tests run, verbatim', (name) => {
    expect(block(name)).toBe(example(name));
  });

  test('memory: calls go through, and a 429 with Retry-After holds the next call back', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(new Response('{}', { status: 200 }))
      .mockResolvedValueOnce(new Response(null, { status: 429, headers: { 'Retry-After': '60' } }));
    vi.stubGlobal('fetch', fetch);
    const { getRepo } = await import('./readme/memory.example.js');
    expect((await getRepo('nodejs/node')).status).toBe(200);
    expect((await getRepo('nodejs/node')).status).toBe(429);
    const error = await getRepo('nodejs/node').catch((e: unknown) => e);
    expect(isRateLimitedError(error)).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describeRedis('README usage examples', () => {
  test('redis: the shared limiter decides in Redis', async () => {
    process.env.REDIS_URL = redisUrl;
    const { client, shared } = await import('./readme/redis.example.js');
    try {
      const key = `bulwark-test:readme:${process.pid}:${Date.now()}`;
      expect(await shared.tryAcquire(key)).toMatchObject({ allowed: true, fallback: false });
      await client.del(`bulwark:ratelimit:{${key}}:gcra-100-1000-20`);
    } finally {
      client.destroy();
    }
  });
});
