import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { redisScript } from './index.js';

describe('redisScript', () => {
  test('knows each script by the SHA-1 Redis gives it', () => {
    const sources = ['', "return redis.call('TIME')", 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), '-- é ✓ 😀\nreturn 1', 'y'.repeat(70_000)];
    for (const source of sources) {
      const script = redisScript(source);
      expect(script.sha).toBe(createHash('sha1').update(source).digest('hex'));
      expect(script.source).toBe(source);
      expect(Object.isFrozen(script)).toBe(true);
    }
  });
});
