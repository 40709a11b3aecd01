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

describe("opossum's and resilience4j's options are pointed to their equivalent", () => {
  test.each([
    [
      { timeout: 3_000 },
      "Unknown option `timeout` of circuitBreaker(); did you mean core's `timeout(ms)` inside the breaker, `pipeline(circuitBreaker(…), timeout(3_000))`? A breaker times nothing out; a call the timeout cuts off counts as a failure.",
    ],
    [
      { errorThresholdPercentage: 50 },
      "Unknown option `errorThresholdPercentage` of circuitBreaker(); did you mean `breaker: { kind: 'time', windowMs, failureRateThreshold }`? The rate is a fraction: 50% is 0.5.",
    ],
    [{ resetTimeout: 30_000 }, 'Unknown option `resetTimeout` of circuitBreaker(); did you mean `halfOpenAfterMs`?'],
    [
      { threshold: 5 },
      "Unknown option `threshold` of circuitBreaker(); did you mean `breaker: { kind: 'consecutive', threshold }`? That many failures in a row open the circuit.",
    ],
    [
      { failureRateThreshold: 50 },
      "Unknown option `failureRateThreshold` of circuitBreaker(); did you mean `breaker: { kind: 'count', size, failureRateThreshold }` (or `kind: 'time'` with `windowMs`)? The rate is a fraction: 50% is 0.5.",
    ],
    [
      { slidingWindowSize: 100 },
      "Unknown option `slidingWindowSize` of circuitBreaker(); did you mean `breaker: { kind: 'count', size }` (a number of calls) or `breaker: { kind: 'time', windowMs }`?",
    ],
    [{ minimumNumberOfCalls: 10 }, "Unknown option `minimumNumberOfCalls` of circuitBreaker(); did you mean `breaker: { kind: 'count', size, minimumCalls }`?"],
    [{ volumeThreshold: 10 }, "Unknown option `volumeThreshold` of circuitBreaker(); did you mean `breaker: { kind: 'count', size, minimumCalls }`?"],
    [{ rollingCountTimeout: 10_000 }, "Unknown option `rollingCountTimeout` of circuitBreaker(); did you mean `breaker: { kind: 'time', windowMs }`?"],
    [{ waitDurationInOpenState: 60_000 }, 'Unknown option `waitDurationInOpenState` of circuitBreaker(); did you mean `halfOpenAfterMs`?'],
    [{ permittedNumberOfCallsInHalfOpenState: 3 }, 'Unknown option `permittedNumberOfCallsInHalfOpenState` of circuitBreaker(); did you mean `halfOpenMaxCalls`?'],
  ])('%o', (options, message) => {
    expect(() => circuitBreaker(options as never)).toThrow(new TypeError(message));
  });

  test('in a registry, the path says where the equivalent goes', () => {
    expect(() => circuitBreakerRegistry({ breaker: { threshold: 5 } } as never)).toThrow(
      new TypeError(
        "Unknown option `breaker.threshold` of circuitBreakerRegistry(); did you mean `breaker.breaker: { kind: 'consecutive', threshold }`? That many failures in a row open the circuit.",
      ),
    );
    expect(() => circuitBreakerRegistry({ breaker: { timeout: 1_000 } } as never)).toThrow("did you mean core's `timeout(ms)` inside the breaker");
  });

  test("a breaker's option at a registry's top level is pointed to its place under `breaker`", () => {
    const inRegistry = " A registry takes each breaker's options in `breaker`.";
    const cases: [object, string][] = [
      [
        { threshold: 5 },
        "Unknown option `threshold` of circuitBreakerRegistry(); did you mean `breaker.breaker: { kind: 'consecutive', threshold }`? That many failures in a row open the circuit." +
          inRegistry,
      ],
      [{ kind: 'count', size: 50 }, "Unknown option `kind` of circuitBreakerRegistry(); did you mean `breaker.breaker: { kind, … }` (`'consecutive'`, `'count'` or `'time'`)?" + inRegistry],
      [{ windowMs: 10_000 }, "Unknown option `windowMs` of circuitBreakerRegistry(); did you mean `breaker.breaker: { kind: 'time', windowMs }`?" + inRegistry],
      [
        { errorThresholdPercentage: 50 },
        "Unknown option `errorThresholdPercentage` of circuitBreakerRegistry(); did you mean `breaker.breaker: { kind: 'time', windowMs, failureRateThreshold }`? The rate is a fraction: 50% is 0.5." +
          inRegistry,
      ],
      [{ halfOpenAfterMs: 5_000 }, 'Unknown option `halfOpenAfterMs` of circuitBreakerRegistry(); did you mean `breaker.halfOpenAfterMs`?' + inRegistry],
      [{ resetTimeout: 5_000 }, 'Unknown option `resetTimeout` of circuitBreakerRegistry(); did you mean `breaker.halfOpenAfterMs`?' + inRegistry],
      [{ isFailure: () => true }, 'Unknown option `isFailure` of circuitBreakerRegistry(); did you mean `breaker.isFailure`?' + inRegistry],
      // No breaker option goes there: the hint has no word about `breaker`.
      [
        { timeout: 1_000 },
        "Unknown option `timeout` of circuitBreakerRegistry(); did you mean core's `timeout(ms)` inside the breaker, `pipeline(circuitBreaker(…), timeout(3_000))`? A breaker times nothing out; a call the timeout cuts off counts as a failure.",
      ],
      // The registry's own aliases still win: `size` is `maxEntries`.
      [{ size: 50 }, 'Unknown option `size` of circuitBreakerRegistry(); did you mean `maxEntries`?'],
      [{ colour: 'red' }, 'Unknown option `colour` of circuitBreakerRegistry(); the options are `name`, `breaker`, `maxEntries`.'],
    ];
    for (const [options, message] of cases) expect(() => circuitBreakerRegistry(options as never)).toThrow(new TypeError(message));
    // Where they belong, the same options are taken.
    expect(circuitBreakerRegistry({ breaker: { breaker: { kind: 'consecutive', threshold: 5 }, halfOpenAfterMs: 5_000 } }).get('a').state).toBe('closed');
  });

  test("a breaker spec's own key beside halfOpenAfterMs is pointed into `breaker`", () => {
    expect(() => circuitBreaker({ kind: 'count', size: 50 } as never)).toThrow(
      new TypeError("Unknown option `kind` of circuitBreaker(); did you mean `breaker: { kind, … }` (`'consecutive'`, `'count'` or `'time'`)?"),
    );
    expect(() => circuitBreaker({ size: 50 } as never)).toThrow(new TypeError("Unknown option `size` of circuitBreaker(); did you mean `breaker: { kind: 'count', size }`?"));
    expect(() => circuitBreakerRegistry({ breaker: { minimumCalls: 5 } } as never)).toThrow(
      new TypeError("Unknown option `breaker.minimumCalls` of circuitBreakerRegistry(); did you mean `breaker.breaker: { kind: 'count', size, minimumCalls }`?"),
    );
  });
});

describe('bounds are stated in words a person reads', () => {
  test('a rate threshold', () => {
    expect(() => circuitBreaker({ breaker: { kind: 'count', size: 10, failureRateThreshold: 0 } })).toThrow(
      new TypeError('Expected `breaker.failureRateThreshold` to be a number above 0 and at most 1, got 0.'),
    );
  });
});
