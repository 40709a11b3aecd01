import { expect, test } from 'vitest';
import { MAX_DURATION_MS } from './index.js';

test('MAX_DURATION_MS is 100 years, and now + it is a whole number of milliseconds a store can write exactly', () => {
  expect(MAX_DURATION_MS).toBe(100 * 365.25 * 86_400_000);
  expect(MAX_DURATION_MS).toBe(3_155_760_000_000);
  const expiresAt = Date.now() + MAX_DURATION_MS; // what PEXPIREAT and the Lua scripts are given
  expect(Number.isSafeInteger(expiresAt)).toBe(true);
  expect(String(expiresAt)).toMatch(/^\d+$/);
});
