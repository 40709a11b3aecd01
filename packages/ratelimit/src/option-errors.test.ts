import { createClient } from 'redis';
import { describe, expect, test } from 'vitest';
import { memoryRateLimitStore, rateLimiter, redisRateLimitStore } from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  const limits = { limit: 10, windowMs: 1_000 };
  test.each([
    ['rateLimiter', () => rateLimiter({ limits, maxWait: 100 } as never), 'Unknown option `maxWait` of rateLimiter(); did you mean `maxWaitMs`?'],
    ['rateLimiter (limits)', () => rateLimiter({ limits: { limit: 10, window: 1_000 } } as never), 'Unknown option `limits.window` of rateLimiter(); did you mean `limits.windowMs`?'],
    [
      'rateLimiter (limits[i])',
      () => rateLimiter({ limits: [limits, { limit: 10, windowMs: 60_000, brust: 2 }] } as never),
      'Unknown option `limits[1].brust` of rateLimiter(); did you mean `limits[1].burst`?',
    ],
    ['rateLimiter (lease)', () => rateLimiter({ limits, lease: { sise: 5 } } as never), 'Unknown option `lease.sise` of rateLimiter(); did you mean `lease.size`?'],
    ['rateLimiter (backoff)', () => rateLimiter({ limits, backoff: { max: 5 } } as never), 'Unknown option `backoff.max` of rateLimiter(); did you mean `backoff.maxDelayMs`?'],
    ['memoryRateLimitStore', () => memoryRateLimitStore({ maxSize: 5 } as never), 'Unknown option `maxSize` of memoryRateLimitStore(); did you mean `maxEntries`?'],
    ['redisRateLimitStore', () => redisRateLimitStore({ redis: {} } as never), 'Unknown option `redis` of redisRateLimitStore(); did you mean `client`?'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});

test('a Redis client passed to redisRateLimitStore in place of its options is named as such', () => {
  expect(() => redisRateLimitStore(createClient() as never)).toThrow(
    new TypeError('Expected `options` to be an options object, got a Redis client: pass it inside, as `{ client }`.'),
  );
});

describe('a value given where a store belongs', () => {
  const limits = { limit: 10, windowMs: 1_000 };

  test('a Redis client given as the store is named as one, with the store that wraps it', () => {
    expect(() => rateLimiter({ limits, store: createClient() as never })).toThrow(
      new TypeError(
        'Expected `store` to be a store from memoryRateLimitStore() or redisRateLimitStore(), got a Redis client: wrap it in a store, as `store: redisRateLimitStore({ client })`.',
      ),
    );
  });

  test('a Redis URL given as the store is refused without quoting it (it may carry a password)', () => {
    const url = 'redis://:hunter2-pw@limits.internal:6379'; // bulwark-allow-secret: a fake password, to show it stays out of the message
    expect(() => rateLimiter({ limits, store: url as never })).toThrow(
      new TypeError('Expected `store` to be a store from memoryRateLimitStore() or redisRateLimitStore(), got a string (its value is not shown).'),
    );
  });
});

describe('bounds are stated in words a person reads', () => {
  const limits = { limit: 10, windowMs: 1_000 };
  test.each([
    [{ limits, fallbackShare: 0 }, 'Expected `fallbackShare` to be a number above 0 and at most 1, got 0.'],
    [{ limits, fallbackShare: 1.5 }, 'Expected `fallbackShare` to be a number above 0 and at most 1, got 1.5.'],
    [{ limits, maxWaitMs: -1 }, 'Expected `maxWaitMs` to be a non-negative number or Infinity, got -1.'],
  ])('%o', (options, message) => {
    expect(() => rateLimiter(options)).toThrow(new TypeError(message));
  });
});
