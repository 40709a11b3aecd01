import { expectOptions, type KnownOptions } from '@bulwark/core';

// Options in the shape of opossum, resilience4j or Hystrix, given beside `halfOpenAfterMs` where this
// package takes them inside `breaker` (or, for a timeout, not at all): each is named with where its
// equivalent goes, since "the options are …" alone leaves the reader to guess. `resetTimeout` and
// `waitDurationInOpenState` are plain aliases of `halfOpenAfterMs`, in CIRCUIT_BREAKER_OPTIONS.
type Instead = readonly [mean: string, note?: string];
const TIMEOUT: Instead = [
  "core's `timeout(ms)` inside the breaker, `pipeline(circuitBreaker(…), timeout(3_000))`",
  'A breaker times nothing out; a call the timeout cuts off counts as a failure',
];
const CONSECUTIVE: Instead = ["`{p}breaker: { kind: 'consecutive', threshold }`", 'That many failures in a row open the circuit'];
const FRACTION = 'The rate is a fraction: 50% is 0.5';
// opossum's rate is over a rolling time window; resilience4j's over the last calls by default.
const ROLLING_RATE: Instead = ["`{p}breaker: { kind: 'time', windowMs, failureRateThreshold }`", FRACTION];
const RATE: Instead = ["`{p}breaker: { kind: 'count', size, failureRateThreshold }` (or `kind: 'time'` with `windowMs`)", FRACTION];
const SLOW: Instead = ["`{p}breaker: { kind: 'count', size, slowCallDurationMs, slowCallRateThreshold }`", FRACTION];
const MINIMUM: Instead = ["`{p}breaker: { kind: 'count', size, minimumCalls }`"];
const FOREIGN_OPTIONS: Readonly<Record<string, Instead>> = {
  timeout: TIMEOUT,
  timeoutDuration: TIMEOUT,
  threshold: CONSECUTIVE,
  failureThreshold: CONSECUTIVE,
  consecutiveFailures: CONSECUTIVE,
  maxFailures: CONSECUTIVE,
  errorThresholdPercentage: ROLLING_RATE,
  failureRateThreshold: RATE,
  slowCallRateThreshold: SLOW,
  slowCallDurationThreshold: SLOW,
  slidingWindowSize: ["`{p}breaker: { kind: 'count', size }` (a number of calls) or `{p}breaker: { kind: 'time', windowMs }`"],
  slidingWindowType: ["`{p}breaker.kind` (`'count'` or `'time'`)"],
  minimumNumberOfCalls: MINIMUM,
  volumeThreshold: MINIMUM,
  rollingCountTimeout: ["`{p}breaker: { kind: 'time', windowMs }`"],
  rollingCountBuckets: ["`{p}breaker: { kind: 'time', windowMs, buckets }`"],
};

/**
 * {@link expectOptions} for a breaker's options (`field` is `'options'`, or `'breaker'` in a
 * registry), naming where another library's option goes here. Names the key, never its value.
 */
export function expectBreakerOptions(field: string, value: unknown, known: KnownOptions): void {
  if (typeof value === 'object' && value !== null) {
    const prefix = field === 'options' ? '' : `${field}.`;
    for (const key of Object.keys(value)) {
      const instead = Object.hasOwn(FOREIGN_OPTIONS, key) ? FOREIGN_OPTIONS[key] : undefined;
      if (instead !== undefined && !Object.hasOwn(known.names, key)) {
        const [mean, note] = instead;
        const after = note === undefined ? '' : ` ${note}.`;
        throw new TypeError(`Unknown option \`${prefix}${key}\` of ${known.of}; did you mean ${mean.replaceAll('{p}', prefix)}?${after}`);
      }
    }
  }
  expectOptions(field, value, known);
}
