import { describe, expect, test } from 'vitest';
import { circuitBreaker, circuitBreakerRegistry, redisCircuitStore } from './index.js';

describe('unknown option keys are refused, naming the option meant', () => {
  test.each([
    ['circuitBreaker', () => circuitBreaker({ resetTimeout: 5_000 } as never), 'Unknown option `resetTimeout` of circuitBreaker(); did you mean `halfOpenAfterMs`?'],
    ['circuitBreakerRegistry', () => circuitBreakerRegistry({ maxsize: 5 } as never), 'Unknown option `maxsize` of circuitBreakerRegistry(); did you mean `maxEntries`?'],
    [
      'circuitBreakerRegistry (breaker)',
      () => circuitBreakerRegistry({ breaker: { halfOpenAfter: 5_000 } } as never),
      'Unknown option `breaker.halfOpenAfter` of circuitBreakerRegistry(); did you mean `breaker.halfOpenAfterMs`?',
    ],
    ['redisCircuitStore', () => redisCircuitStore({ timeout: 100 } as never), 'Unknown option `timeout` of redisCircuitStore(); did you mean `timeoutMs`?'],
    [
      'circuitBreaker (breaker, count)',
      () => circuitBreaker({ breaker: { kind: 'count', size: 20, minimumCall: 5 } as never }),
      'Unknown option `breaker.minimumCall` of circuitBreaker(); did you mean `breaker.minimumCalls`?',
    ],
    [
      'circuitBreaker (breaker, time)',
      () => circuitBreaker({ breaker: { kind: 'time', windowMs: 10_000, errorThresholdPercentage: 0.2 } as never }),
      'Unknown option `breaker.errorThresholdPercentage` of circuitBreaker(); did you mean `breaker.failureRateThreshold`?',
    ],
    [
      'circuitBreaker (breaker, consecutive)',
      () => circuitBreaker({ breaker: { kind: 'consecutive', threshold: 3, halfOpenAfterMs: 1_000 } as never }),
      'Unknown option `breaker.halfOpenAfterMs` of circuitBreaker(); the options are `breaker.kind`, `breaker.threshold`.',
    ],
    [
      'circuitBreakerRegistry (breaker.breaker)',
      () => circuitBreakerRegistry({ breaker: { breaker: { kind: 'consecutive', threshold: 3, failureThreshold: 5 } as never } }),
      'Unknown option `breaker.failureThreshold` of circuitBreaker(); did you mean `breaker.threshold`?',
    ],
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
