import { describe, expect, test } from 'vitest';
import { circuitBreaker, circuitBreakerRegistry, redisCircuitStore } from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['circuitBreaker', () => circuitBreaker({ resetTimeout: 5_000 } as never), 'Unknown option `resetTimeout` of circuitBreaker(); did you mean `halfOpenAfterMs`?'],
    ['circuitBreakerRegistry', () => circuitBreakerRegistry({ maxsize: 5 } as never), 'Unknown option `maxsize` of circuitBreakerRegistry(); did you mean `maxSize`?'],
    [
      'circuitBreakerRegistry (breaker)',
      () => circuitBreakerRegistry({ breaker: { halfOpenAfter: 5_000 } } as never),
      'Unknown option `breaker.halfOpenAfter` of circuitBreakerRegistry(); did you mean `breaker.halfOpenAfterMs`?',
    ],
    ['redisCircuitStore', () => redisCircuitStore({ timeout: 100 } as never), 'Unknown option `timeout` of redisCircuitStore(); did you mean `timeoutMs`?'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});

describe('bounds are stated in words a person reads', () => {
  test('a rate threshold', () => {
    expect(() => circuitBreaker({ breaker: { kind: 'count', size: 10, failureRateThreshold: 0 } })).toThrow(
      new TypeError('Expected `breaker.failureRateThreshold` to be a number above 0 and at most 1, got 0.'),
    );
  });
});
