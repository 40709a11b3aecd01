import { expectOptions, type KnownOptions } from '@bulwark/core';

// Options in the shape of opossum, resilience4j or Hystrix, or a breaker spec's own keys, given beside
// `halfOpenAfterMs` where this package takes them inside `breaker` (or, for a timeout, not at all):
// each is named with where its equivalent goes, since "the options are …" alone leaves the reader to
// guess. `resetTimeout` and `waitDurationInOpenState` are plain aliases of `halfOpenAfterMs`, in
// CIRCUIT_BREAKER_OPTIONS.
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
  // The spec's own keys, one level too high.
  kind: ["`{p}breaker: { kind, … }` (`'consecutive'`, `'count'` or `'time'`)"],
  size: ["`{p}breaker: { kind: 'count', size }`"],
  windowMs: ["`{p}breaker: { kind: 'time', windowMs }`"],
  buckets: ["`{p}breaker: { kind: 'time', windowMs, buckets }`"],
  minimumCalls: MINIMUM,
  slowCallDurationMs: SLOW,
};

const IN_REGISTRY = "A registry takes each breaker's options in `breaker`";

/**
 * {@link expectOptions} for a breaker's options (`field` is `'options'`, or `'breaker'` in a
 * registry), naming where another library's option goes here. Names the key, never its value.
 */
export function expectBreakerOptions(field: string, value: unknown, known: KnownOptions): void {
  if (typeof value === 'object' && value !== null) {
    const prefix = field === 'options' ? '' : `${field}.`;
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(known.names, key)) refuseForeign(prefix, key, known.of, prefix);
    }
  }
  expectOptions(field, value, known);
}

/**
 * {@link expectOptions} for a registry's own options, where a breaker's option given at the top
 * (`circuitBreakerRegistry({ threshold: 5 })`, `{ halfOpenAfterMs }`) is named with its place
 * under `breaker`. `breakerKnown` is the breaker's options. Names the key, never its value.
 */
export function expectRegistryOptions(value: unknown, known: KnownOptions, breakerKnown: KnownOptions): void {
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      // The registry's own names and their aliases (`size` is `maxEntries`) are left to expectOptions.
      if (Object.hasOwn(known.names, key) || Object.values(known.names).some((aliases) => aliases.includes(key))) continue;
      const meant = Object.entries(breakerKnown.names).find(([name, aliases]) => name === key || aliases.includes(key))?.[0];
      if (meant !== undefined) throw new TypeError(`Unknown option \`${key}\` of ${known.of}; did you mean \`breaker.${meant}\`? ${IN_REGISTRY}.`);
      refuseForeign('', key, known.of, 'breaker.', IN_REGISTRY);
    }
  }
  expectOptions('options', value, known);
}

// Throws for a key of another library or of a breaker spec, if `key` is one: `path` prefixes the key
// named, `place` the place its equivalent goes, and `why` says why there (when it goes in a breaker's options).
function refuseForeign(path: string, key: string, of: string, place: string, why?: string): void {
  const instead = Object.hasOwn(FOREIGN_OPTIONS, key) ? FOREIGN_OPTIONS[key] : undefined;
  if (instead === undefined) return;
  const [mean, note] = instead;
  const placed = mean.includes('{p}') ? why : undefined;
  const after = [note, placed].filter((sentence) => sentence !== undefined).map((sentence) => ` ${sentence}.`).join('');
  throw new TypeError(`Unknown option \`${path}${key}\` of ${of}; did you mean ${mean.replaceAll('{p}', place)}?${after}`);
}
