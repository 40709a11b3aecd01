import type { RedisClient } from '@bulwark/core';
import { createClient } from 'redis';
import { describe, expect, test } from 'vitest';
import { circuitBreaker, redisCircuitStore, type CircuitBreakerOptions } from './index.js';

const bad: Array<[string, CircuitBreakerOptions, string]> = [
  ['name', { name: '' }, 'Expected `name` to be a non-empty string, got "".'],
  ['breaker kind', { breaker: { kind: 'nope' } as never }, 'Expected `breaker.kind` to be one of "consecutive", "count", "time", got "nope".'],
  ['threshold', { breaker: { kind: 'consecutive', threshold: 0 } }, 'Expected `breaker.threshold` to be a positive integer, got 0.'],
  ['size', { breaker: { kind: 'count', size: 1.5 } }, 'Expected `breaker.size` to be an integer from 1 to 1_000_000, got 1.5.'],
  ['minimumCalls', { breaker: { kind: 'count', size: 5, minimumCalls: 6 } }, 'Expected `breaker.minimumCalls` to be at most `breaker.size` (5), got 6.'],
  ['failure rate', { breaker: { kind: 'count', size: 5, failureRateThreshold: 0 } }, 'Expected `breaker.failureRateThreshold` to be a number above 0 and at most 1, got 0.'],
  ['slow rate without duration', { breaker: { kind: 'time', windowMs: 1000, slowCallRateThreshold: 0.5 } }, 'Expected `breaker.slowCallDurationMs` to be set when `breaker.slowCallRateThreshold` is, got undefined.'],
  ['windowMs', { breaker: { kind: 'time', windowMs: 0 } }, 'Expected `breaker.windowMs` to be a number of at least 1, got 0.'],
  ['buckets', { breaker: { kind: 'time', windowMs: 1000, buckets: 0 } }, 'Expected `breaker.buckets` to be an integer from 1 to 1000, got 0.'],
  ['halfOpenAfterMs', { halfOpenAfterMs: Number.NaN }, 'Expected `halfOpenAfterMs` to be a non-negative number of milliseconds or a cockatiel backoff, got NaN.'],
  ['halfOpenMaxCalls', { halfOpenMaxCalls: 0 }, 'Expected `halfOpenMaxCalls` to be a positive integer, got 0.'],
  ['isFailure', { isFailure: 'yes' as never }, 'Expected `isFailure` to be a function, got "yes".'],
  ['clock', { clock: {} as never }, 'Expected `clock` to be a Clock (now, monotonic and setTimeout), got an object (Object).'],
  ['store without name', { store: { bind: () => ({}) } as never }, 'Expected `name` to be set when `store` is (it keys the shared state), got undefined.'],
  // A Redis URL given as the store may carry a password: it is described, never shown.
  ['store', { name: 'x', store: 'redis://' as never }, 'Expected `store` to be a CircuitStore (such as redisCircuitStore(...)), got a string (its value is not shown).'],
  ['store (an object)', { name: 'x', store: {} as never }, 'Expected `store` to be a CircuitStore (such as redisCircuitStore(...)), got an object (Object).'],
  [
    'store (a Redis client)',
    { name: 'x', store: createClient() as never },
    'Expected `store` to be a CircuitStore (such as redisCircuitStore(...)), got a Redis client: wrap it in a store, as `store: redisCircuitStore({ client })`.',
  ],
];

describe('options are validated at construction', () => {
  test.each(bad)('%s', (_, options, message) => {
    expect(() => circuitBreaker(options)).toThrow(TypeError);
    expect(() => circuitBreaker(options)).toThrow(message);
  });

  test('the defaults build', () => {
    const breaker = circuitBreaker();
    expect(breaker.state).toBe('closed');
    expect(breaker.name).toBe('circuitBreaker');
  });

  test('redisCircuitStore validates too, and never takes a URL', () => {
    expect(() => redisCircuitStore({ client: 'redis://localhost' as never })).toThrow(
      'Expected `client` to be a connected node-redis client, not a URL: `createClient({ url })` from `redis`, then `connect()`, got a string (its value is not shown).',
    );
    const client = { isReady: true, evalSha: async () => 0, eval: async () => 0 } as unknown as RedisClient;
    expect(() => redisCircuitStore({ client, quorum: 0 })).toThrow('Expected `quorum` to be a positive integer, got 0.');
    expect(() => redisCircuitStore({ client, timeoutMs: 0 })).toThrow(/`timeoutMs`/);
    expect(() => redisCircuitStore({ client, instanceId: '' })).toThrow(/`instanceId`/);
    expect(redisCircuitStore({ client, prefix: 'p:' }).keys('a{b}')).toEqual({
      open: 'p:{a%7Bb%7D}:open',
      votes: 'p:{a%7Bb%7D}:votes',
      lease: 'p:{a%7Bb%7D}:lease',
    });
  });
});
